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


def test_a_span_of_years_stands_for_its_first_year() -> None:
    """A school year or a term runs on after the day of writing: only its start is past."""
    dates = _dates("Tối 30/6, Hà Nội công bố điểm chuẩn vào lớp 10 năm học 2017-2018.")
    assert dates["Tối 30/6"] == (date(2017, 6, 30), True)


def test_with_nothing_cited_a_yearless_day_is_no_date() -> None:
    assert _dates("Ngày 15/4, công an bắt hai đối tượng trộm cắp.") == {}


def test_an_event_the_title_names_with_its_year_counts_as_cited() -> None:
    text = (
        "Giải chạy Marathon Hồ Tây 2019: hơn 3.000 vận động viên\n"
        "Ngày 6/10, giải chạy diễn ra quanh hồ. Năm 2018 giải có 2.000 người tham gia."
    )
    assert _dates(text)["Ngày 6/10"] == (date(2019, 10, 6), True)


def test_an_event_prepared_for_or_far_past_the_cited_dates_does_not_count() -> None:
    prepared = "Đội tuyển tập huấn cho vòng loại Asian Cup 2023\nNgày 6/10, đội hội quân. Năm 2021 đội đã thắng."
    assert _dates(prepared)["Ngày 6/10"] == (date(2021, 10, 6), True)
    far = "Nghi vấn quanh quyền đăng cai Olympic 2032\nNgày 6/10, ủy ban họp. Năm 2021 có 3 ứng viên."
    assert _dates(far)["Ngày 6/10"] == (date(2021, 10, 6), True)


def test_the_numbers_of_a_date_no_year_fixes_are_no_figures() -> None:
    article = extract_article("Sáng 3 tháng 5, đoàn đến thăm 2 trường học. Đêm 11 rạng sáng 12, dân làng mở hội.")
    assert article.dates == []
    assert [f.text for f in article.figures] == ["2 trường học"]


def test_a_start_ahead_is_no_year_cited() -> None:
    """ "Từ năm 2030, … sẽ …" states a rule to come (`extract.published.cited_as_past`): no
    reference for a yearless day, nor a year the article is of."""
    plan = "Hội đồng họp sáng 12/7. Từ năm 2030, điểm sàn sẽ do các trường tự xác định."
    assert "sáng 12/7" not in _dates(plan)
    past = "Hội đồng họp sáng 12/7. Từ năm 2015, điểm sàn do Bộ xác định."
    assert _dates(past)["sáng 12/7"] == (date(2015, 7, 12), True)


def test_a_span_up_to_the_day_of_writing_ends_with_the_guessed_year_only() -> None:
    """With no publication date, "đến nay" ends in the year the text was written after,
    known to the year: the last day of it, flagged `year_inferred` (blind set 20)."""
    article = extract_article("Dự án bỏ hoang từ năm 2011 đến nay. Năm 2015, chủ đầu tư lãi 5 tỷ đồng.")
    assert article.facts.published_precision == "none"
    span = next(d for d in article.dates if d.text == "từ năm 2011 đến nay")
    assert (span.start_date, span.end_date, span.granularity, span.year_inferred) == (
        date(2011, 1, 1),
        date(2015, 12, 31),
        "year",
        True,
    )


def test_a_span_up_to_a_known_publication_ends_on_its_day() -> None:
    article = extract_article("date 2017-06-05\nDự án bỏ hoang\n\nDự án bỏ hoang từ năm 2011 đến nay.")
    span = next(d for d in article.dates if d.text == "từ năm 2011 đến nay")
    assert article.facts.published_date == date(2017, 6, 5)
    assert (span.end_date, span.granularity, span.year_inferred) == (date(2017, 6, 5), "day", False)


def test_a_span_up_to_a_publication_known_to_its_month_or_year_ends_with_it() -> None:
    """Known only to its year (or month), the day of writing is that year's (or month's)
    last day at best: the span ends there, at that precision (blind set 22)."""
    for header, end, granularity in (
        ("date 2017", date(2017, 12, 31), "year"),
        ("date 2017-06", date(2017, 6, 30), "month"),
    ):
        article = extract_article(f"{header}\nGiá xăng\n\nTừ đầu năm 2017 đến nay, giá xăng điều chỉnh 10 lần.")
        span = next(d for d in article.dates if d.text.lower() == "từ đầu năm 2017 đến nay")
        assert (span.start_date, span.end_date, span.granularity) == (date(2017, 1, 1), end, granularity)


def test_a_guessed_year_gives_no_figure_its_period() -> None:
    """An undated article's "Từ đầu năm đến nay" takes its year from the latest day the
    text cites (2014 here), a guess: the date keeps it (`year_inferred`), but its figures
    get no period, so a sum by period leaves them out (blind set 24). A year the text
    writes still gives one."""
    article = extract_article(
        "Ma túy ở Đà Nẵng\nSo với tháng 5/2014, số vụ tăng. Từ đầu năm đến nay, công an bắt 15 đối tượng."
        " Năm 2016, công an bắt 179 người."
    )
    assert article.facts.published_precision == "none"
    span = next(d for d in article.dates if d.text == "Từ đầu năm đến nay")
    assert span.year_inferred
    by_text = {f.text: (f.period_start, f.period_end) for f in article.figures}
    assert by_text["15 đối tượng"] == (None, None)
    assert by_text["179 người"] == (date(2016, 1, 1), date(2016, 12, 31))
