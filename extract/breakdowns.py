"""Which figure of an article breaks down which (lexicon figures.toml `[breakdowns]`).

"Bắt 70 đối tượng, trong đó 30 đối tượng nữ": the 30 are part of the 70, and a sum of the
month counts the 70 alone. A part is a later figure of the same unit (or both with none;
no share or rate), a smaller value, a level (no rise or fall), with a marker between it and
its whole:
- `in_sentence`: the whole stands before a marker of the part's sentence that reaches it
  ("…, trong đó …", "gồm"; a bare ":" is none); before the last such marker, the nearest
  fitting figure, so "50 vụ, trong đó 30 vụ trộm, gồm 10 vụ …" makes the 10 part of the 30
  and the 30 part of the 50;
- `next_sentence`: the part's sentence opens with a marker ("Trong đó, 30 vụ …") and the
  whole is the first fitting figure of the sentence before (what it reports first, not a
  comparison: "… 980 tỷ đồng, gấp đôi năm 2015 (444,5 tỷ đồng). Trong đó …").
- `among`: the figure extract/figures.py made by its rule part_of_whole ("2 trong số 7 nghi
  phạm", "1 trong 3 căn cứ") is part of the figure its whole's number opens, right after it.
A ";" ends a marker's reach. Whether whole and part count the same thing (their metric) is
the taxonomy's word: transform keeps a link only between figures of one metric.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from typing import NamedTuple

from extract.document import Document
from extract.figures import PART_OF_WHOLE
from extract.lexicon import alternation, load
from extract.records import Figure
from extract.sentences import last_non_space

_LEX = load("figures")["breakdowns"]
_MARKER = re.compile(rf"(?<!\w)(?:{alternation(_LEX['markers'])})(?!\w)")
_OPENS = re.compile(rf"[\s\"“'(\-–—]*(?:{alternation(_LEX['opens'])})(?!\w)")

IN_SENTENCE, NEXT_SENTENCE, AMONG = "in_sentence", "next_sentence", "among"
RULES = (IN_SENTENCE, NEXT_SENTENCE, AMONG)
LOOK_BACK = 24


class Breakdown(NamedTuple):
    """Figure `part` (an index into the figures) is part of figure `whole`, by `rule`."""

    part: int
    whole: int
    rule: str


def _fits(whole: Figure, part: Figure) -> bool:
    if whole.unit != part.unit or whole.change is not None or part.change is not None:
        return False
    if part.unit is not None and (part.unit == "%" or "/" in part.unit):  # a share or a rate
        return False
    largest = part.value if part.value_max is None else part.value_max
    return whole.value_max is None and largest < whole.value


def breakdowns(doc: Document, figures: Sequence[Figure]) -> list[Breakdown]:
    """Every part of `figures` with its whole, parts in text order. A part's whole is sought
    before the markers of its sentence that reach it, the last first, among the `LOOK_BACK`
    figures before each: a list of a thousand parts after one "trong đó" costs a few
    lookups a part."""
    lowered = doc.lowered
    order = sorted(range(len(figures)), key=lambda i: figures[i].char_start)
    starts = [figures[i].char_start for i in order]
    sentences = [doc.sentence_at(start) for start in starts]
    markers: dict[int, list[int]] = {}  # sentence start -> the starts of its markers
    found: list[Breakdown] = []

    def nearest_fitting(before: int, low: int, part: Figure) -> int | None:
        """The nearest figure ending by `before` and starting at `low` or later that `part` fits."""
        k = bisect.bisect_left(starts, before) - 1
        for j in range(k, max(-1, k - LOOK_BACK), -1):
            whole = figures[order[j]]
            if whole.char_start < low:
                break
            if whole.char_end <= before and _fits(whole, part):
                return order[j]
        return None

    shared = {s.start for s, t in itertools.pairwise(sentences) if s.start == t.start}
    for k, i in enumerate(order):
        part, sentence = figures[i], sentences[k]
        if sentence.start not in shared:  # alone in its sentence: no whole before it there
            markers[sentence.start] = []
        elif sentence.start not in markers:
            markers[sentence.start] = [m.start() for m in _MARKER.finditer(lowered, sentence.start, sentence.end)]
        reach = lowered.rfind(";", sentence.start, part.char_start) + 1 or sentence.start
        link: Breakdown | None = None
        if part.rule == PART_OF_WHOLE and k + 1 < len(order):
            following = figures[order[k + 1]]
            if following.char_start < sentence.end and _fits(following, part):
                found.append(Breakdown(i, order[k + 1], AMONG))
                continue
        for marker in reversed(markers[sentence.start]):  # the same sentence, the last marker first
            if marker >= part.char_start:
                continue
            if marker < reach:
                break
            whole = nearest_fitting(marker, sentence.start, part)
            if whole is not None:
                link = Breakdown(i, whole, IN_SENTENCE)
                break
        if link is None and reach == sentence.start and _OPENS.match(lowered, sentence.start):
            before = last_non_space(doc.text, sentence.start)
            if before >= 0:
                previous = doc.sentence_at(before)
                # the sentence before, its first fitting figure
                low = bisect.bisect_left(starts, previous.start)
                for j in range(low, min(k, low + LOOK_BACK)):
                    if starts[j] >= previous.end:
                        break
                    if _fits(figures[order[j]], part):
                        link = Breakdown(i, order[j], NEXT_SENTENCE)
                        break
        if link is not None:
            found.append(link)
    return found
