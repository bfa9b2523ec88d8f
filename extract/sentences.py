"""Sentence boundaries with offsets, for figure periods and the `sentence` column."""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

# A sentence ends at . ! ? or a line break, when more text follows; ";" only separates
# clauses of one report. Abbreviations such as "TP." or "Th.S" are not ends.
# (written as one character class first, so the regex engine skips to candidates fast)
_END = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<!\n)[.!?…]*[\"”’)]*(?=\s+\S))")
_ABBREVIATIONS = ("TP", "Th", "Q", "P", "TS", "GS", "TT", "ThS", "PGS", "Tp")
_ABBREVIATION = re.compile(rf"(?<![\w.])(?:{'|'.join(_ABBREVIATIONS)})$")
_ABBREVIATION_ENDS = {a[-1] for a in _ABBREVIATIONS}  # most periods follow none: skip the regex


class Sentence(NamedTuple):
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    start = 0
    for match in _END.finditer(text):
        if (
            match[0] == "."
            and text[match.start() - 1 : match.start()] in _ABBREVIATION_ENDS
            and _ABBREVIATION.search(text, max(0, match.start() - 4), match.start())
        ):
            continue
        end = match.end() if match[0][0] != "\n" else match.start()
        # inline rather than a helper: this runs for every sentence of every article
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            first = start + len(piece) - len(piece.lstrip())
            sentences.append(Sentence(first, first + len(stripped), stripped))
        start = match.end()
    piece = text[start:]
    stripped = piece.strip()
    if stripped:
        first = start + len(piece) - len(piece.lstrip())
        sentences.append(Sentence(first, first + len(stripped), stripped))
    return sentences


def sentence_at(sentences: list[Sentence], position: int, starts: list[int] | None = None) -> Sentence:
    """The sentence that holds `position` (or the nearest one before it). Pass `starts`
    (the sentences' start offsets) when looking up many positions in one text."""
    if starts is None:
        starts = [s.start for s in sentences]
    index = max(0, bisect.bisect_right(starts, position) - 1)
    return sentences[index] if sentences else Sentence(position, position, "")
