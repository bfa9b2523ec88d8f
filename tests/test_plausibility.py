"""Values that cannot be: figures outside their metric's bounds are kept and flagged, and
publication dates no article can have are not published; validation holds both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from extract.pipeline import extract_article
from extract.records import Article, ArticleFacts, Figure
from tests.test_validate import METRIC_KEYS as FIXTURE_KEYS
from tests.test_validate import RUN_TIME, to_frames, valid_rows
from transform.tables import EARLIEST_PUBLISHED, ExtractedDocument, build_tables, latest_published
from transform.taxonomy import load_taxonomy
from transform.validate import validate_tables

TAXONOMY = load_taxonomy()
METRIC_KEYS = TAXONOMY.keys
NOW = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def _figure(text: str, sentence: str, value: float, unit: str | None, item: str | None) -> Figure:
    start = sentence.index(text)
    rule = "noun_after" if item else "measure_alone"
    return Figure(start, start + len(text), text, value, None, unit, item, "exact", None, None, sentence, rule=rule)


def _tables(article: Article) -> dict:
    doc = ExtractedDocument("file:///tmp/bai.txt", "0" * 64, article)
    return build_tables([doc], [], TAXONOMY, extracted_at=NOW, extractor_version="test")


def _article(sentence: str, figures: list[Figure], published: date | None = None) -> Article:
    facts = ArticleFacts(None, None, None, published, "day" if published else "none")
    return Article(sentence, facts, figures)


def test_a_typo_keeps_its_row_flagged_not_plausible() -> None:
    sentence = "Tổng thiệt hại ước tính 68.266.067.050 tỷ đồng, trong đó 2 tỷ đồng là tài sản công."
    typo = _figure("68.266.067.050 tỷ đồng", sentence, 6.8266067050e19, "đồng", None)
    fine = _figure("2 tỷ đồng", sentence, 2e9, "đồng", None)
    rows = _tables(_article(sentence, [typo, fine]))["figures"].to_pylist()

    assert [(r["metric"], r["plausible"]) for r in rows] == [("money", False), ("money", True)]
    assert "money" in rows[0]["plausible_reason"] and "1e+16" in rows[0]["plausible_reason"]
    assert rows[1]["plausible_reason"] is None


def test_people_beyond_a_population_are_not_plausible() -> None:
    sentence = "Theo báo cáo, gần 20 tỷ bị bắt trong đợt cao điểm, 35 đối tượng bị khởi tố."
    money_read_as_people = _figure("20 tỷ bị bắt", sentence, 2e10, None, "bị bắt")
    suspects = _figure("35 đối tượng", sentence, 35, None, "đối tượng")
    rows = _tables(_article(sentence, [money_read_as_people, suspects]))["figures"].to_pylist()
    assert [(r["metric"], r["plausible"]) for r in rows] == [("suspects", False), ("suspects", True)]


def test_a_fraction_of_a_commune_is_not_plausible() -> None:
    sentence = "Người dân xóm 6,7 xã Diễn Thắng phản ánh sai sót, 12 xã khác cũng có hồ sơ lỗi."
    hamlets = _figure("6,7 xã", sentence, 6.7, None, "xã")
    communes = _figure("12 xã", sentence, 12, None, "xã")
    rows = _tables(_article(sentence, [hamlets, communes]))["figures"].to_pylist()
    assert [(r["metric"], r["plausible"]) for r in rows] == [("communes_wards", False), ("communes_wards", True)]
    assert "whole" in rows[0]["plausible_reason"]


def test_a_figure_without_a_metric_is_plausible() -> None:
    sentence = "Nhà máy tiêu thụ 1.000.000.000.000.000.000 kWh."  # no metric, no bound to hold
    figure = _figure("1.000.000.000.000.000.000 kWh", sentence, 1e18, "kWh", None)
    row = _tables(_article(sentence, [figure]))["figures"].to_pylist()[0]
    assert row["metric"] is None and row["plausible"] is True


@pytest.mark.parametrize(
    ("published", "kept"),
    [
        (date(1970, 1, 1), False),  # the Unix epoch of a broken page
        (date(1989, 12, 31), False),
        (EARLIEST_PUBLISHED, True),
        (date(2026, 1, 15), True),
        (date(2026, 1, 16), False),  # at 08:00 UTC it is the 16th nowhere on Earth yet
    ],
)
def test_impossible_published_dates_are_not_published(published: date, kept: bool) -> None:
    articles = _tables(_article("Tin trong ngày.", [], published))["articles"].to_pylist()
    row = articles[0]
    if kept:
        assert (row["published_date"], row["published_precision"], row["published_year"]) == (
            published,
            "day",
            published.year,
        )
    else:
        assert (row["published_date"], row["published_precision"], row["published_year"]) == (None, "none", None)


def test_a_header_dated_1970_gives_no_published_date() -> None:
    article = extract_article(" date 1970-01-01 Công an tỉnh bắt giữ 3 đối tượng.", as_of=NOW.date())
    row = _tables(article)["articles"].to_pylist()[0]
    assert row["published_date"] is None and row["published_precision"] == "none"


def test_latest_published_day_is_the_run_day_furthest_east() -> None:
    assert latest_published(datetime(2026, 1, 15, 8, 0, tzinfo=UTC)) == date(2026, 1, 15)
    assert latest_published(datetime(2026, 1, 15, 12, 0, tzinfo=UTC)) == date(2026, 1, 16)


# --- validation: the flags and the dates are checked, not trusted ---


def _money_rows(value: float, plausible: bool, reason: str | None) -> dict:
    rows = valid_rows()
    rows["figures"][0].update(metric="money", unit="đồng", value=value, plausible=plausible, plausible_reason=reason)
    return rows


def test_validation_passes_a_flagged_typo_and_the_built_tables() -> None:
    report = validate_tables(to_frames(_money_rows(6.8e19, False, "above the bound")), METRIC_KEYS, run_time=RUN_TIME)
    assert report.success, report.failures

    sentence = "Thiệt hại 68.266.067.050 tỷ đồng."
    built = _tables(_article(sentence, [_figure("68.266.067.050 tỷ đồng", sentence, 6.8e19, "đồng", None)]))
    frames = {name: table.to_pandas() for name, table in built.items()}
    report = validate_tables(frames, TAXONOMY.keys, run_time=NOW, taxonomy=TAXONOMY)
    assert report.success, report.failures


def test_validation_fails_an_implausible_value_marked_plausible() -> None:
    report = validate_tables(to_frames(_money_rows(6.8e19, True, None)), METRIC_KEYS, run_time=RUN_TIME)
    assert [(f.table, f.expectation) for f in report.failures] == [
        ("figures", "expect_column_values_to_be_in_set(within_metric_bounds)")
    ]
    assert report.failures[0].offending_rows[0]["value"] == 6.8e19


def test_validation_uses_the_run_taxonomy_bounds(tmp_path) -> None:
    path = tmp_path / "metrics.toml"
    path.write_text('[metrics.money]\nunit = ["đồng"]\nmax = 1000\n', encoding="utf-8")
    strict = load_taxonomy(path)
    rows = _money_rows(5000, True, None)
    assert validate_tables(to_frames(rows), METRIC_KEYS, run_time=RUN_TIME).success
    report = validate_tables(to_frames(rows), METRIC_KEYS, run_time=RUN_TIME, taxonomy=strict)
    assert [f.expectation for f in report.failures] == ["expect_column_values_to_be_in_set(within_metric_bounds)"]


def test_validation_fails_a_null_flag_and_an_unexplained_one() -> None:
    report = validate_tables(to_frames(_money_rows(10.0, False, None)), METRIC_KEYS, run_time=RUN_TIME)
    assert [f.expectation for f in report.failures] == ["expect_column_values_to_be_in_set(reason_given)"]

    frames = to_frames(valid_rows())
    frames["figures"]["plausible"] = frames["figures"]["plausible"].astype(object)
    frames["figures"].loc[0, "plausible"] = None
    report = validate_tables(frames, FIXTURE_KEYS, run_time=RUN_TIME)
    assert "expect_column_values_to_not_be_null(plausible)" in [f.expectation for f in report.failures]


@pytest.mark.parametrize("published", [date(1970, 1, 1), date(2026, 1, 16)])
def test_validation_fails_a_published_date_no_article_can_have(published: date) -> None:
    rows = valid_rows()
    rows["articles"][0].update(published_date=published, published_year=published.year)
    report = validate_tables(to_frames(rows), FIXTURE_KEYS, run_time=RUN_TIME)
    assert [(f.table, f.expectation) for f in report.failures] == [
        ("articles", "expect_column_values_to_be_between(published_date)")
    ]
    assert report.failures[0].offending_rows[0]["published_date"] == published
