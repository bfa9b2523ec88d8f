"""An article the evidence cannot date still has its yearless dates read: near the latest
day it cites with its year (`extract.pipeline.latest_cited_day`), flagged `year_inferred`."""

from __future__ import annotations

from datetime import date

from extract.pipeline import extract_article


def _dates(text: str) -> dict[str, tuple[date, bool]]:
    article = extract_article(text)
    assert article.facts.published_precision == "none"
    return {d.text: (d.start_date, d.year_inferred) for d in article.dates}


def test_a_yearless_day_is_read_near_the_latest_full_day_cited() -> None:
    dates = _dates("Vụ trộm xảy ra đêm 28/12. Trước đó, ngày 3/1/2016, hai đối tượng đã bị phạt.")
    assert dates["ngày 3/1/2016"] == (date(2016, 1, 3), False)
    assert dates["đêm 28/12"] == (date(2015, 12, 28), True)  # the nearest 28/12 to 2016-01-03


def test_a_cited_year_stands_for_its_middle() -> None:
    dates = _dates("Ngày 15/4, công an bắt đối tượng. Hắn hoạt động từ năm 2015.")
    assert dates["Ngày 15/4"] == (date(2015, 4, 15), True)


def test_with_nothing_cited_a_yearless_day_is_no_date() -> None:
    assert _dates("Ngày 15/4, công an bắt hai đối tượng trộm cắp.") == {}
