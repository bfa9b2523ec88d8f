"""Example corpora: the extractors' documentation and their tests (Duckling's `Corpus.hs`)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).parent


def load_examples(name: str) -> list[dict[str, Any]]:
    with (CORPUS_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)["example"]
