"""extract/published.py against its example corpus (tests/corpus/published.toml)."""

from __future__ import annotations

from datetime import date

import pytest

from extract.article import parse_document
from extract.dates import find_raw_dates
from extract.lexicon import lowered_like
from extract.published import Published, published_date, published_with_evidence, reference_date
from extract.records import Precision
from tests.corpus import load_examples

AS_OF = date(2026, 11, 23)  # the day of the run the examples are read on


def _header(value: str | None) -> tuple[date | None, Precision]:
    if value is None:
        return None, "none"
    parts = [int(p) for p in value.split("-")]
    precision: Precision = ("year", "month", "day")[len(parts) - 1]
    return date(parts[0], *(parts[1:] + [1] * (3 - len(parts)))), precision


def _published(example: dict) -> Published:
    parsed = parse_document(example["text"])
    lowered = lowered_like(parsed.text)
    raws = find_raw_dates(parsed.text, lowered)
    header, precision = _header(example.get("header"))
    as_of = example.get("as_of", AS_OF)
    return published_with_evidence(header, precision, parsed.text, parsed.body_start, raws, as_of, lowered)


@pytest.mark.parametrize("example", load_examples("published"), ids=lambda e: e["text"][:40])
def test_corpus(example: dict) -> None:
    day, precision, rule = example["published"]
    found = _published(example)
    assert (found.day.isoformat() if found.day else "", found.precision, found.evidence) == (day, precision, rule)


def test_published_date_is_the_evidence_without_its_rule() -> None:
    text = "Chiều 19/5, Tòa án tỉnh mở phiên xử. Vụ án xảy ra đêm 2/5/2018 tại chợ huyện."
    raws = find_raw_dates(text)
    assert published_date(None, "none", text, 0, raws, AS_OF) == (date(2018, 5, 19), "day")
    assert reference_date(date(2018, 5, 1), "month") == date(2018, 5, 15)


def test_a_weekday_gives_the_first_year_from_the_lower_bound() -> None:
    # 15/5 is a Monday in 2017 and 2023: the text's latest past year (2016) chooses 2017
    example = {"text": "Thứ Hai (15/5), đoàn đến thăm. Tháng 12/2016, hai bên đã gặp nhau."}
    assert _published(example)[:2] == (date(2017, 5, 15), "day")
    # with a bound of 2022 the same words are of 2023
    example = {"text": "Thứ Hai (15/5), đoàn đến thăm. Tháng 12/2022, hai bên đã gặp nhau."}
    assert _published(example)[:2] == (date(2023, 5, 15), "day")


def test_no_year_is_read_past_the_run() -> None:
    example = {"text": "Thứ Hai (15/5), đoàn đến thăm. Tháng 12/2022, hai bên đã gặp nhau.", "as_of": date(2023, 1, 5)}
    assert _published(example)[:2] == (None, "none")
