"""Vietnamese word knowledge as data files, loaded once per process.

Each `*.toml` beside this module is plain data an analyst can read and extend;
the extractors only look words up here.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
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


_VOWEL_RUNS = re.compile(r"[aeiouy]+")


def no_vietnamese_syllable(word: str) -> bool:
    """Whether `word` cannot be a Vietnamese syllable: Vietnamese writes one syllable a word,
    with one run of vowels and none of f, j, w, z; "woodville", "montefalco", "zaragoza" are
    foreign names, "lim", "krông", "ea" are not. Pieces joined by a hyphen or an apostrophe
    ("h'mông") are read one by one; a piece without a vowel ("h") says nothing."""
    plain = unicodedata.normalize("NFD", word.casefold().replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    for piece in re.split(r"[-'’]", plain):
        if any(c in "fjwz" for c in piece) or len(_VOWEL_RUNS.findall(piece)) > 1:
            return True
    return False


def is_word_char(char: str) -> bool:
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
        first, end, last_word = _word_before(text, pos, start)
        if not last_word or last_word not in self._last_words:
            return None
        if not self._gap.match(text, end, pos):
            return None
        # Walk back word by word: a cue's words are separated by spaces only, and a word
        # cut by the window cannot be part of one.
        words = [last_word]
        word_end = first
        while len(words) < self.longest:
            word_start = word_end
            while word_start > start and text[word_start - 1].isspace():
                word_start -= 1
            if word_start in (word_end, start):
                break
            separator_start = word_start
            while word_start > start and is_word_char(text[word_start - 1]):
                word_start -= 1
            if word_start == separator_start or (word_start == start and start > 0 and is_word_char(text[start - 1])):
                break
            words.append(text[word_start:separator_start].casefold())
            word_end = word_start
        for size in range(len(words), 0, -1):
            phrase = " ".join(reversed(words[:size]))
            if phrase in self.phrases:
                return phrase
        return None


# The word before a position, shared by every cue list asked about it (a number's
# qualifier, exclusion and address cues, a date's birth, period and identifier cues):
# (the text it is for, {(pos, window start): (first, end, casefolded word)}). Read once
# into a local and replaced whole, so threads sharing it can only miss, never mix texts.
_WORD_BEFORE_CACHE: tuple[str | None, dict[tuple[int, int], tuple[int, int, str]]] = (None, {})
_WORD_BEFORE_KEPT = 1024  # positions remembered: those a few mentions around the current one ask about


def _word_before(text: str, pos: int, start: int) -> tuple[int, int, str]:
    """The word that ends last before `pos`, past marks and spaces, no earlier than
    `start`: its first and end offsets and its casefolded text ("" when none)."""
    global _WORD_BEFORE_CACHE
    cache = _WORD_BEFORE_CACHE
    if cache[0] is not text or len(cache[1]) >= _WORD_BEFORE_KEPT:  # the cues of one spot share it
        cache = _WORD_BEFORE_CACHE = (text, {})
    found = cache[1].get((pos, start))
    if found is not None:
        return found
    end = pos
    while end > start and not ((char := text[end - 1]).isalnum() or char == "_"):  # back over marks, spaces
        end -= 1
    first = max(start, text.rfind(" ", start, end) + 1)
    if not text[first:end].isalnum():  # glued to punctuation ("(ông"): walk back to its start
        first = end
        while first > start and ((char := text[first - 1]).isalnum() or char == "_"):
            first -= 1
    found = cache[1][(pos, start)] = (first, end, text[first:end].casefold())
    return found


def lowered_like(text: str) -> str:
    """`text` in lower case, index for index: offsets found in it are offsets in `text`.

    `str.lower` keeps the length of Vietnamese text; the few characters it expands
    ("İ") are kept as they are, so the two strings always align.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch if len(low := ch.lower()) != 1 else low for ch in text)
