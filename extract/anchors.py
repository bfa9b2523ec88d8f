"""Where numbers and dates can begin: one scan of the lower-cased text for all of them.

Numbers (`extract.numbers`) and dates (`extract.dates`) begin at a digit or at one of a
few dozen words ("hai", "năm", "ngày", "hàng"), never inside a word. The regex engine
pays per position it tries, nearly whatever the pattern, so one scan for every such
word and digit replaces one scan per pattern (there were five); each extractor then
tries its own patterns at these positions only.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import NamedTuple

from extract.lexicon import alternation, is_word_char

_DIGITS = frozenset("0123456789")
_VIETNAMESE_LOWER = "a-zàáâãèéêìíòóôõùúýăđĩũơư\u1ea0-\u1ef9"  # ạ … ỹ


class Anchors(NamedTuple):
    """The starts of words and digit runs in a text that are not glued to a word before."""

    words: list[tuple[int, str]]  # (offset, word) for each whole word of the vocabulary
    digits: list[tuple[int, int]]  # (start, end) of each run of ASCII digits


@cache
def _scanners() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    # imported here, not at the top: both modules use this one
    from extract.dates import START_WORDS as DATE_WORDS
    from extract.numbers import START_WORDS as NUMBER_WORDS

    # A word is a whole run of letters, and may be glued to a number after it ("ngày17").
    assert all(word[0] > "9" for word in DATE_WORDS | NUMBER_WORDS), "words begin with a letter"
    token = rf"([0-9]+|(?:{alternation(DATE_WORDS | NUMBER_WORDS)})(?![^\W\d]))"
    # Most anchors follow a space: with a literal first character the engine skips ahead
    # fast and tries the words only there, not inside words. The rest follow a line
    # break or a mark ("(", "“", "-"), or start the text. Marks are found as "not a
    # space, digit or Vietnamese letter", which the engine tests 2.5x faster than
    # "not \w"; the rare foreign letter it lets through is dropped in `find_anchors`.
    return re.compile(f" {token}"), re.compile(f"[^ _0-9{_VIETNAMESE_LOWER}]{token}"), re.compile(token)


@lru_cache(maxsize=1)  # numbers and dates ask for the same document in turn; keep no more
def find_anchors(lowered: str) -> Anchors:
    """The anchors of `lowered`, a text made by `lexicon.lowered_like`."""
    after_space, after_mark, at_start = _scanners()
    # spans only (one call a match): the tokens are sliced once, for the words
    spans = [m.span(1) for m in after_space.finditer(lowered)]
    spans += [span for m in after_mark.finditer(lowered) if not is_word_char(lowered[(span := m.span(1))[0] - 1])]
    if first := at_start.match(lowered):
        spans.append(first.span(1))
    spans.sort()
    # a token is a digit run or a word of letters, which all sort after "9"
    words = [(start, lowered[start:end]) for start, end in spans if lowered[start] > "9"]
    digits = [span for span in spans if lowered[span[0]] <= "9"]
    return Anchors(words, digits)


def matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """The matches `finditer` would give for `pattern` that begin at one of `starts`
    (sorted): each tried in turn, none inside the one before."""
    found: list[re.Match[str]] = []
    resume = 0
    for start in starts:
        if start < resume:
            continue
        match = pattern.match(text, start)
        if match:
            found.append(match)
            resume = match.end()
    return found
