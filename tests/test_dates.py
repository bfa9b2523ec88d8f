"""extract/dates.py against its example corpus (tests/corpus/dates.toml)."""

from __future__ import annotations

from datetime import date

import pytest

from extract.dates import Point, find_dates, nearest_year
from tests.corpus import load_examples

EXAMPLES = load_examples("dates")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["text"][:60] for e in EXAMPLES])
def test_corpus(example: dict) -> None:
    found = find_dates(example["text"], example.get("reference"))
    got = [[d.text, d.start_date.isoformat(), d.end_date.isoformat(), d.granularity, d.year_inferred] for d in found]
    assert got == example["dates"]


def test_offsets_point_at_the_mention() -> None:
    text = "Ngày 12/1, Công an thành phố tổ chức hội nghị năm 2026."
    for mention in find_dates(text, date(2026, 1, 12)):
        assert text[mention.char_start : mention.char_end] == mention.text


def test_a_yearless_date_takes_the_year_nearest_the_reference() -> None:
    assert nearest_year(Point(None, 12, 28), date(2017, 1, 5)) == 2016
    assert nearest_year(Point(None, 1, 3), date(2016, 12, 30)) == 2017
    assert nearest_year(Point(None, 6, 1), date(2017, 6, 28)) == 2017


def test_without_a_reference_a_yearless_date_is_dropped_not_guessed() -> None:
    assert find_dates("Ngày 12/1, hội nghị diễn ra.", None) == []
    assert [d.text for d in find_dates("Ngày 12/1/2026, hội nghị.", None)] == ["Ngày 12/1/2026"]


def test_a_period_phrase_marks_the_span_a_figure_covers() -> None:
    (mention,) = find_dates("Trong năm 2025, hai đơn vị đã xử lý nhiều vụ.", date(2026, 1, 1))
    assert mention.is_period
    (mention,) = find_dates("Hội nghị tổng kết năm 2025 diễn ra.", date(2026, 1, 1))
    assert not mention.is_period


def test_rules_that_need_a_digit_find_one_within_reach(shared) -> None:
    """`_rule_matches` tries a rule not marked `digitless` only where a digit follows its
    first word within DIGIT_WITHIN characters. Every match of such a rule, over the real
    articles of the gold sets and every rule's examples, has its first digit that near,
    and the digitless rules are the only ones that ever match without one."""
    import re

    from extract import dates
    from extract.lexicon import lowered_like

    texts = [example["text"] for example in load_examples("dates")]
    texts += [path.read_text(encoding="utf-8") for path in sorted((shared / "corpus").glob("*/*.txt"))]
    farthest = 0
    for text in texts:
        # every rule at every word start, not only where the prefilter lets it try
        for rule in dates.RULES:
            for match in rule.pattern.finditer(text):
                digit = re.search(r"\d", match[0])
                assert digit is not None or rule.digitless, (rule.name, match[0])
                if digit is not None and not rule.digitless:
                    farthest = max(farthest, digit.start())
        dates.find_raw_dates(text, lowered_like(text))
    assert farthest < dates.DIGIT_WITHIN
