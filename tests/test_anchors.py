"""The one scan that numbers and dates start from (`extract.anchors`)."""

from __future__ import annotations

import re

import pytest

from extract.anchors import find_anchors, matches_at
from extract.lexicon import lowered_like
from extract.numbers import DIGIT_NUMBER_RE, WORD_NUMBER_RE

TEXTS = [
    "Ngày 12/3/2017, công an 126 xã, phường bắt hai mươi mốt người.",
    "Thái Lan (20/1) ngày17-6-2014 A80 QL1A 2.834 lượt, 1,5 triệu đồng",
    "năm2017 thai hai-ba; “Ba nhất” 12.7/3 mười_hai x_12 ngày 1 tháng 5",
    "Müller ühai 5 người, çba 12 vụ; ß7 İhai (hai người) 3 xã",
]


def test_words_and_digits_not_glued_to_a_word_before() -> None:
    lowered = lowered_like("Thái 12 hai A80 thai x12 (5) ngày17 ba_4 mươi")
    anchors = find_anchors(lowered)
    assert [word for _, word in anchors.words] == ["hai", "ngày", "mươi"]
    assert [lowered[start:end] for start, end in anchors.digits] == ["12", "5"]


def test_a_foreign_letter_before_a_word_glues_it() -> None:
    anchors = find_anchors(lowered_like("ühai çba ß7 (hai"))
    assert anchors.words == [(13, "hai")]
    assert anchors.digits == []


def test_a_word_glued_to_a_number_after_it_is_an_anchor() -> None:
    anchors = find_anchors("ngày17-6-2014")
    assert anchors.words == [(0, "ngày")]
    assert anchors.digits == [(7, 8), (9, 13)]  # "17" is glued to "ngày"; "-" is no word


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("pattern", [DIGIT_NUMBER_RE, WORD_NUMBER_RE])
def test_matches_at_anchors_are_what_a_word_start_scan_finds(text: str, pattern: re.Pattern[str]) -> None:
    lowered = lowered_like(text)
    anchors = find_anchors(lowered)
    starts = sorted([start for start, _ in anchors.words] + [start for start, _ in anchors.digits])
    scanned = re.compile(rf"(?<![\w])(?:{pattern.pattern})")
    expected = [m.span() for m in scanned.finditer(lowered)]
    assert [m.span() for m in matches_at(pattern, lowered, starts)] == expected
    assert expected  # each text has numbers of both kinds
