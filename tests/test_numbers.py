"""extract/numbers.py against its example corpus (tests/corpus/numbers.toml)."""

from __future__ import annotations

import pytest

from extract.numbers import find_numbers, parse_digits, parse_number_words
from tests.corpus import load_examples

EXAMPLES = load_examples("numbers")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["text"] for e in EXAMPLES])
def test_corpus(example: dict) -> None:
    assert [n.value for n in find_numbers(example["text"])] == pytest.approx(example["values"])


@pytest.mark.parametrize(
    ("token", "value"),
    [("2.834", 2834), ("1,5", 1.5), ("10.000", 10000), ("1.234.567", 1234567), ("12.7", None), ("1.5", None)],
)
def test_parse_digits_follows_the_vietnamese_press(token: str, value: float | None) -> None:
    assert parse_digits(token) == value


def test_number_words_stop_at_the_first_word_that_is_not_part_of_the_number() -> None:
    assert parse_number_words(["hai", "mươi", "mốt", "người"]) == (21, 3)
    assert parse_number_words(["người"]) is None


def test_spans_cover_scale_words() -> None:
    text = "chiếm đoạt 1 tỉ 195 triệu đồng"
    (number,) = find_numbers(text)
    assert text[number.start : number.end] == "1 tỉ 195 triệu"
