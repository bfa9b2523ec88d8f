"""A source's declared publication window (sources.yaml `published_between`) bounds the
publication date: one outside it is no date, and with none the window's year stands."""

from __future__ import annotations

from datetime import date

from extract.pipeline import extract_article as _extract
from extract.records import KnownFacts as _Known

_WINDOW = (date(2017, 1, 1), date(2017, 6, 30))


def test_a_window_gives_its_year_when_the_text_fixes_none() -> None:
    text = "Công an bắt hai đối tượng\nHai đối tượng từng bị xử phạt từ năm 1994.\n"
    assert _extract(text).facts.published_precision == "none"
    facts = _extract(text, known=_Known(published_between=_WINDOW)).facts
    assert (facts.published_date, facts.published_precision) == (date(2017, 1, 1), "year")


def test_a_date_outside_the_window_is_no_date() -> None:
    text = " date 2015-03-02\nCông an bắt hai đối tượng\nSáng nay, hai đối tượng bị bắt.\n"
    assert _extract(text).facts.published_date == date(2015, 3, 2)
    facts = _extract(text, known=_Known(published_between=_WINDOW)).facts
    assert (facts.published_date, facts.published_precision) == (None, "none")


def test_a_date_inside_the_window_stands() -> None:
    text = " date 2017-03-02\nCông an bắt hai đối tượng\nSáng nay, hai đối tượng bị bắt.\n"
    facts = _extract(text, known=_Known(published_between=_WINDOW)).facts
    assert (facts.published_date, facts.published_precision) == (date(2017, 3, 2), "day")
