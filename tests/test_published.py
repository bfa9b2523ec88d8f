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
    window = tuple(date.fromisoformat(d) for d in example["window"]) if "window" in example else None
    return published_with_evidence(header, precision, parsed.text, parsed.body_start, raws, as_of, lowered, window)


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


def _rule(text: str, as_of: date = AS_OF) -> tuple[str, str, str]:
    found = _published({"text": text, "as_of": as_of})
    return found.day.isoformat() if found.day else "", found.precision, found.evidence


def test_a_year_given_as_just_past_makes_the_next_the_present() -> None:
    # "năm 2020 vừa qua": the year that just ended, so the text is of 2021
    assert _rule("Năm 2020 vừa qua là một năm khó khăn với ngành du lịch.") == ("2021-01-01", "year", "this_year")
    assert _rule("Lượng khách giảm so với năm 2018 vừa rồi, Sở cho biết.") == ("2019-01-01", "year", "this_year")


def test_a_part_of_a_year_just_past_or_a_death_is_no_year_just_past() -> None:
    # what just passed is the start of the year, which is the present one
    assert _rule("Hồi đầu năm 2021 vừa qua, nhà máy đã tạm dừng hoạt động.")[2] != "this_year"
    assert _rule("Tháng 10 năm 2019 vừa qua, câu lạc bộ ký hợp đồng mới.")[2] != "this_year"
    # "vừa qua đời": died, not passed
    assert _rule("Nghệ sĩ nổi tiếng của năm 2015 vừa qua đời tại nhà riêng.") == ("", "none", "none")


def test_a_tally_to_a_year_end_puts_the_text_after_that_year() -> None:
    # without the tally, 10/6 falls in the month after "tháng 5/2019": 2019-06-10
    told = "Ngày 10/6, Sở Xây dựng họp báo. Tháng 5/2019, công trình khởi công. "
    assert _rule(told) == ("2019-06-10", "day", "near_month")
    # "Đến cuối năm 2019, …" reports a year that is over: the text is of 2020 or later
    assert _rule(told + "Đến cuối năm 2019, tổng vốn huy động đạt 500 tỷ đồng.") == ("", "none", "none")
    assert _rule(told + "Tính đến ngày 31/12/2019, tỉnh có 40 dự án.") == ("", "none", "none")


def test_a_tally_to_a_later_year_end_is_a_forecast_and_bounds_nothing() -> None:
    told = "Ngày 10/6, Sở Xây dựng họp báo. Tháng 5/2019, công trình khởi công. "
    # past what the text cites otherwise: "cho đến cuối năm 2021 chưa có cuộc bầu cử nào"
    assert _rule(told + "Cho đến cuối năm 2021, không có cuộc bầu cử nào.") == ("2019-06-10", "day", "near_month")
    # a target with its plan word is no evidence at all
    assert _rule(told + "Tỉnh phấn đấu đến cuối năm 2019 hoàn thành dự án.") == ("2019-06-10", "day", "near_month")


def test_a_lunar_year_named_with_its_year_is_that_year() -> None:
    # "Xuân Canh Tý 2020": the name and the year agree; the text lives in that new year
    told = "Ngày 3/2, chợ hoa Xuân Canh Tý 2020 vẫn đông khách. Năm 2018, chợ mở thêm 50 gian hàng."
    assert _rule(told) == ("2020-02-03", "day", "lunar_year")
    # a name and a year that disagree say nothing ("Canh Tý" is 2020, not 2021)
    assert _rule(told.replace("2020", "2021"))[2] != "lunar_year"
    # alone, a name with its year may be told in any later year: "trận đánh Tết Mậu Thân 1968"
    assert _rule("Ngày 3/2, chợ hoa Xuân Canh Tý 2020 vẫn đông khách.") == ("", "none", "none")


def test_a_lunar_year_gone_by_or_compared_with_is_not_the_present() -> None:
    # history and the base of a comparison: "hồi Tết Mậu Thân 1968", "so với Tết Kỷ Hợi 2019"
    assert _rule("Ngày 12/7, tỉnh tưởng niệm các liệt sĩ hy sinh hồi Tết Mậu Thân 1968.") == ("", "none", "none")
    text = "Ngày 5/2, lượng khách giảm 10% so với Tết Canh Tý 2020. Năm 2018, chợ mở thêm 50 gian hàng."
    assert _rule(text) == ("", "none", "none")
    # of two names, the latest: "Tết Kỷ Hợi 2019" told in the Tết of 2020
    text = "Ngày 5/2, chợ hoa Tết Canh Tý 2020 vắng hơn Tết Kỷ Hợi 2019. Năm 2018, chợ mở thêm 50 gian hàng."
    assert _rule(text) == ("2020-02-05", "day", "lunar_year")


def test_a_season_or_month_of_a_year_with_nay_is_the_present() -> None:
    assert _rule("Thị trường chuyển nhượng mùa hè 2019 này rất sôi động.") == ("2019-01-01", "year", "this_year")
    assert _rule("Chợ mới sẽ đón tiểu thương vào tháng 12.2022 này.") == ("2022-01-01", "year", "this_year")
    # a model of a year is no present: "chiếc Galaxy J7 2016 này" is this phone
    assert _rule("Nguyên nhân vụ cháy chiếc Galaxy J7 2016 này vẫn chưa rõ.") == ("", "none", "none")
