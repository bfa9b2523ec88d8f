"""Sentence boundaries with offsets, for figure periods and the `sentence` column."""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

# A sentence ends at . ! ? or a line break, when more text follows; ";" only separates
# clauses of one report. Abbreviations such as "TP." or "Th.S" are not ends.
# A run of marks (and closing quotes) is taken whole (possessive) and only from its first
# mark: no shorter part of a run can end a sentence, and retrying the rest of the run
# from each of its marks was quadratic in a long run of dots.
# (written as one character class first, so the regex engine skips to candidates fast)
_END = re.compile(r"[.!?…\n](?:(?<=\n)\n*|(?<![.!?…]{2})(?<!\n)[.!?…]*+[\"”’)]*+(?=\s+\S))")
_ABBREVIATIONS = ("TP", "Th", "Q", "P", "TS", "GS", "TT", "ThS", "PGS", "Tp")
_ABBREVIATION = re.compile(rf"(?<![\w.])(?:{'|'.join(_ABBREVIATIONS)})$")
_ABBREVIATION_ENDS = {a[-1] for a in _ABBREVIATIONS}  # most periods follow none: skip the regex


class Sentence(NamedTuple):
    start: int
    end: int
    text: str


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """The sentences of `text`, or of its part from `start` (a line start) to `end`."""
    end = len(text) if end is None else end
    sentences: list[Sentence] = []
    append = sentences.append
    new = tuple.__new__  # what `Sentence(...)` does, without its Python-level `__new__`
    for match in _END.finditer(text, start, end):
        mark, match_end = match.span()
        if (
            match_end - mark == 1
            and text[mark] == "."
            and text[mark - 1 : mark] in _ABBREVIATION_ENDS
            and _ABBREVIATION.search(text, max(0, mark - 4), mark)
        ):
            continue
        stop = match_end if text[mark] != "\n" else mark
        # inline rather than a helper: this runs for every sentence of every article
        piece = text[start:stop].lstrip()
        if piece:
            stripped = piece.rstrip()
            first = stop - len(piece)
            append(new(Sentence, (first, first + len(stripped), stripped)))
        start = match_end
    piece = text[start:end].lstrip()
    if piece:
        stripped = piece.rstrip()
        first = end - len(piece)
        append(new(Sentence, (first, first + len(stripped), stripped)))
    return sentences


POSITIONS_KEPT = 1024  # positions a SentenceFinder remembers the sentence of


def last_non_space(text: str, position: int, low: int = 0) -> int:
    """The last index of text[low:position] that is no white space, else low - 1: where
    the sentence before the one at `position` ends."""
    position -= 1
    while position >= low and text[position].isspace():
        position -= 1
    return position


class SentenceFinder:
    """The sentence that holds a position of `text`, splitting only that position's line.

    A sentence never crosses a line break, and most lines hold no figure: splitting the
    lines that do gives the sentences `split_sentences(text)` would, at a fraction of the cost.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: dict[int, tuple[list[int], list[Sentence]]] = {}  # by line start
        # the line asked for last, from its start to its "\n" (or the text's end):
        # positions come in order, so one enormous line is searched for its ends once
        self._last_line = (0, -1)
        # by position: figures, their periods and their places ask for the same positions
        # (a figure's start, its paragraph's start) several times each
        self._at: dict[int, Sentence] = {}

    def at(self, position: int) -> Sentence:
        """The sentence that holds `position` (or the nearest one before it on its line)."""
        found = self._at.get(position)
        if found is None:
            if len(self._at) >= POSITIONS_KEPT:  # bounded: the asks for one position come close together
                self._at.clear()
            found = self._at[position] = self._find(position)
        return found

    def _find(self, position: int) -> Sentence:
        text = self.text
        line_start, line_end = self._last_line
        if not line_start <= position <= line_end:
            line_start = text.rfind("\n", 0, position) + 1
            found_end = text.find("\n", position)
            line_end = len(text) if found_end < 0 else found_end
            self._last_line = (line_start, line_end)
        line = self._lines.get(line_start)
        if line is None:
            sentences = split_sentences(text, line_start, line_end)
            line = self._lines[line_start] = ([s.start for s in sentences], sentences)
        starts, sentences = line
        index = max(0, bisect.bisect_right(starts, position) - 1)
        return sentences[index] if sentences else Sentence(position, position, "")
