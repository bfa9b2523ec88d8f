"""Vietnamese word knowledge as data files, loaded once per process.

Each `*.toml` beside this module is plain data an analyst can read and extend;
the extractors only look words up here.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LEXICON_DIR = Path(__file__).parent


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed TOML file `name.toml` of this folder."""
    with (LEXICON_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def alternation(words: list[str] | set[str] | dict[str, Any]) -> str:
    """A regex alternation of literal words, longest first so multi-word entries win."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in ordered)
