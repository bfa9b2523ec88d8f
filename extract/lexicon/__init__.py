"""Vietnamese word knowledge as data files, loaded once per process.

Each `*.toml` beside this module is plain data an analyst can read and extend;
the extractors only look words up here.
"""

from __future__ import annotations

import itertools
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
    """A regex matching any of `words` literally, preferring the longest, for use inside a group.

    Written as a trie ("c(?:ác|ùng)|n(?:gày|ăm)"): the regex engine tries one branch per
    character instead of every word at every position, which is what made long word
    lists the extractor's hot spot. Two words that match at the same position are
    prefixes of one another, and the longer is tried first, as in "longest|shorter".
    """
    trie: dict[str, Any] = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return _trie_pattern(trie)


def _longest(node: dict[str, Any]) -> int:
    return max((1 + _longest(child) if char else 0 for char, child in node.items()), default=0)


def _trie_pattern(node: dict[str, Any]) -> str:
    children = sorted(((c, n) for c, n in node.items() if c), key=lambda cn: (-_longest(cn[1]), cn[0]))
    branches = [re.escape(char) + _trie_pattern(child) for char, child in children]
    if not branches:
        return ""
    joined = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a word may end here: try the longer words first
        return f"(?:{joined})?" if len(branches) == 1 else f"{joined}?"
    return joined


_WORD = re.compile(r"\w+")


def _is_word_char(char: str) -> bool:
    """What `\\w` matches."""
    return char.isalnum() or char == "_"


class PhraseSet:
    """Cue phrases looked up by the words just before a position.

    `phrase_before(text, pos)` is what `re.search(r"(?:cue|…)\\s*$", text[:pos])` would
    find, without trying the alternation at every position: it reads the last few words
    and looks them up, so a 150-word cue list costs a handful of set lookups.
    """

    def __init__(self, phrases: list[str] | set[str] | dict[str, Any], gap: str = r"\s*") -> None:
        self.phrases = {" ".join(_WORD.findall(p.casefold())) for p in phrases}
        self.longest = max((len(p.split()) for p in self.phrases), default=0)
        self._last_words = {p.rsplit(" ", 1)[-1] for p in self.phrases}
        self._gap = re.compile(rf"(?:{gap})$")

    def phrase_before(self, text: str, pos: int, window: int = 48) -> str | None:
        """The longest cue that ends right before `pos` (across the allowed gap), or None."""
        start = max(0, pos - window)
        # Fast rejection, for the common case: the word just before `pos` ends no cue.
        # Walking back a few characters is cheaper than tokenizing the window.
        end = pos
        while end > start and not (text[end - 1].isalnum() or text[end - 1] == "_"):
            end -= 1
        first = max(start, text.rfind(" ", start, end) + 1)
        word = text[first:end]
        if not word.isalnum():  # glued to punctuation ("(ông"): walk back to the word's start
            first = end
            while first > start and _is_word_char(text[first - 1]):
                first -= 1
            word = text[first:end]
        if not word or word.casefold() not in self._last_words:
            return None
        words = list(_WORD.finditer(text, start, pos))
        if not words or not self._gap.match(text, words[-1].end(), pos):
            return None
        for size in range(min(self.longest, len(words)), 0, -1):
            chunk = words[-size:]
            # the words of a phrase are separated by single spaces (or nothing else)
            if any(text[a.end() : b.start()].strip() for a, b in itertools.pairwise(chunk)):
                continue
            if size == len(words) and start > 0 and text[start - 1].isalnum():
                continue  # the first word was cut by the window
            phrase = " ".join(w[0].casefold() for w in chunk)
            if phrase in self.phrases:
                return phrase
        return None


def lowered_like(text: str) -> str:
    """`text` in lower case, index for index: offsets found in it are offsets in `text`.

    `str.lower` keeps the length of Vietnamese text; the few characters it expands
    ("İ") are kept as they are, so the two strings always align.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(low := ch.lower()) != 1 else low for ch in text)
