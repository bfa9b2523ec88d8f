"""Tests of transform/validate.py: a valid set passes, each corruption is named.

Each `validate_tables` call runs Great Expectations (~1 s, after a ~4 s first import),
so every corruption is one call on a copy of one small valid set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from transform.schemas import TABLES
from transform.validate import ExpectationFailure, ValidationReport, suites, validate_tables

RUN_TIME = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
METRIC_KEYS = ["uav_violations", "arrests"]

TEXT = "Trong năm 2025, xử lý 283 lượt phương tiện bay trái phép."
FIGURE = "283 lượt phương tiện bay trái phép"
DATE = "năm 2025"
FIG_START = TEXT.index(FIGURE)
DATE_START = TEXT.index(DATE)

Tables = dict[str, pd.DataFrame]


def valid_rows() -> dict[str, list[dict[str, object]]]:
    extracted = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
    return {
        "articles": [
            {
                "article_id": "a1",
                "source_uri": "https://example.vn/tin/1",
                "title": "Xử lý phương tiện bay",
                "outlet": "Báo Ví Dụ",
                "author": None,
                "published_date": date(2026, 1, 5),
                "published_precision": "day",
                "published_evidence": "header",
                "published_year": 2026,
                "text": TEXT,
                "n_chars": len(TEXT),
                "content_sha256": "0" * 64,
                "extracted_at": extracted,
                "extractor_version": "0.1.0",
                "taxonomy_version": "0123456789abcdef",
            }
        ],
        "figures": [
            {
                "figure_id": "f1",
                "article_id": "a1",
                "char_start": FIG_START,
                "char_end": FIG_START + len(FIGURE),
                "text": FIGURE,
                "value": 283.0,
                "value_max": None,
                "unit": "lượt",
                "item": "phương tiện bay trái phép",
                "qualifier": "exact",
                "metric": "uav_violations",
                "plausible": True,
                "plausible_reason": None,
                "period_start": date(2025, 1, 1),
                "period_end": date(2025, 12, 31),
                "sentence": TEXT,
                "rule": "noun_after",
            }
        ],
        "dates": [
            {
                "date_id": "d1",
                "article_id": "a1",
                "char_start": DATE_START,
                "char_end": DATE_START + len(DATE),
                "text": DATE,
                "start_date": date(2025, 1, 1),
                "end_date": date(2025, 12, 31),
                "granularity": "year",
                "year_inferred": False,
            }
        ],
        "rejects": [
            {
                "source_uri": "https://example.vn/tin/2",
                "reason": "empty",
                "detail": "no text after extraction",
                "content_sha256": None,
                "seen_at": extracted,
            }
        ],
    }


def to_frames(rows: dict[str, list[dict[str, object]]], *, date_as_object: bool = True) -> Tables:
    """As the pipeline builds them: pyarrow tables of the published schemas, to pandas."""
    return {
        name: pa.Table.from_pylist(rows[name], schema=schema).to_pandas(date_as_object=date_as_object)
        for name, schema in TABLES.items()
    }


def test_fixture_offsets_are_right() -> None:
    """The valid set's offsets really point at its mentions (guards the fixture itself)."""
    rows = valid_rows()
    for table in ("figures", "dates"):
        row = rows[table][0]
        assert TEXT[row["char_start"] : row["char_end"]] == row["text"]  # type: ignore[misc]


def test_unknown_table_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown tables"):
        validate_tables({"figurez": pd.DataFrame()}, METRIC_KEYS, run_time=RUN_TIME)


def test_valid_tables_pass_and_write_data_docs(tmp_path: Path) -> None:
    docs = tmp_path / "data_docs"
    frames = to_frames(valid_rows())
    report = validate_tables(frames, METRIC_KEYS, run_time=RUN_TIME, docs_dir=docs)

    assert isinstance(report, ValidationReport)
    assert report.failures == []
    assert report.success
    # metrics, a derived table, is validated where the flow builds it (tests/test_flow.py)
    expected = sum(len(checks) for table, checks in suites(METRIC_KEYS, RUN_TIME).items() if table in frames)
    assert report.expectations_run == expected
    assert report.docs_index == docs / "index.html"
    assert report.docs_index.is_file()
    index = report.docs_index.read_text(encoding="utf-8")
    for table in TABLES:
        assert table in index
    assert list(docs.glob("validations/figures/**/*.html"))


def test_dates_as_datetime64_pass() -> None:
    """date32 columns may arrive as datetime64 instead of datetime.date objects."""
    tables = to_frames(valid_rows(), date_as_object=False)
    assert pd.api.types.is_datetime64_dtype(tables["dates"]["start_date"])
    report = validate_tables(tables, METRIC_KEYS, run_time=RUN_TIME)
    assert report.success, report.failures


def test_real_text_may_go_past_the_usual_bounds() -> None:
    """ "quá tải 200%" is a share above 100, and "đến năm 2050" a date written decades ahead:
    real articles say such things; only a value the text does not say (a bug) fails."""
    rows = valid_rows()
    rows["dates"][0].update(start_date=date(2050, 1, 1), end_date=date(2050, 12, 31), text="năm 2050")
    text = TEXT.replace(DATE, "năm 2050")
    text = text[:FIG_START] + "200%" + text[FIG_START + len(FIGURE) :]  # "quá tải 200%"
    rows["articles"][0].update(text=text, n_chars=len(text))
    rows["figures"][0].update(unit="%", value=200.0, text="200%", char_end=FIG_START + 4, item=None, metric=None)
    report = validate_tables(to_frames(rows), METRIC_KEYS, run_time=RUN_TIME)
    assert report.success, report.failures

    rows["figures"][0]["value"] = 2000.0  # "200%" read as 2000: a bug
    report = validate_tables(to_frames(rows), METRIC_KEYS, run_time=RUN_TIME)
    assert [f.expectation for f in report.failures] == ["expect_column_values_to_be_in_set(percent_plausible)"]


def test_a_decade_written_ahead_passes_and_an_inferred_one_fails() -> None:
    """ "những năm 2050" is 2050–2059: its end year is not in the text, its first year is
    (a whole-corpus run of the 2017 crawl failed here). A decade the text does not name fails."""
    rows = valid_rows()
    decade = "những năm 2050"
    rows["dates"][0].update(
        start_date=date(2050, 1, 1), end_date=date(2059, 12, 31), text=decade, char_end=DATE_START + len(decade)
    )
    text = TEXT.replace(DATE, decade)
    figure_start = text.index(FIGURE)
    rows["articles"][0].update(text=text, n_chars=len(text))
    rows["figures"][0].update(char_start=figure_start, char_end=figure_start + len(FIGURE))
    report = validate_tables(to_frames(rows), METRIC_KEYS, run_time=RUN_TIME)
    assert report.success, report.failures

    _assert_unwritten_future_fails(date(2050, 1, 1), date(2059, 12, 31))


def _assert_unwritten_future_fails(start: date, end: date) -> None:
    """A date row far ahead of the run whose year the text (which says 2025) never writes."""
    rows = valid_rows()
    rows["dates"][0].update(start_date=start, end_date=end)
    report = validate_tables(to_frames(rows), METRIC_KEYS, run_time=RUN_TIME)
    assert {f.expectation for f in report.failures} == {
        "expect_column_values_to_be_between(start_date where end_year_written == False)",
        "expect_column_values_to_be_between(end_date where end_year_written == False)",
    }


def test_an_unwritten_far_future_date_fails() -> None:
    _assert_unwritten_future_fails(date(2050, 1, 1), date(2050, 12, 31))


def test_empty_tables_pass() -> None:
    tables = to_frames({name: [] for name in TABLES})
    assert all(len(df) == 0 for df in tables.values())
    report = validate_tables(tables, METRIC_KEYS, run_time=RUN_TIME)
    assert report.success, report.failures
    assert report.expectations_run > 0


def test_missing_table_fails() -> None:
    tables = to_frames(valid_rows())
    del tables["rejects"]
    report = validate_tables(tables, METRIC_KEYS, run_time=RUN_TIME)
    assert not report.success
    assert [(f.table, f.expectation) for f in report.failures] == [("rejects", "table_is_present")]


# --- corruptions: (mutate the valid frames, table, expectation, offending row subset) ---


def wrong_offsets(t: Tables) -> None:
    t["figures"].loc[0, ["char_start", "char_end"]] = [FIG_START + 1, FIG_START + 1 + len(FIGURE)]


def duplicate_figure_id(t: Tables) -> None:
    second = t["figures"].iloc[[0]].copy()
    t["figures"] = pd.concat([t["figures"], second], ignore_index=True)


def null_value(t: Tables) -> None:
    t["figures"].loc[0, "value"] = np.nan


def unknown_metric(t: Tables) -> None:
    t["figures"].loc[0, "metric"] = "not_a_metric"


def percentage_150(t: Tables) -> None:
    t["figures"].loc[0, ["unit", "value"]] = ["%", 150.0]


def missing_article(t: Tables) -> None:
    t["figures"].loc[0, "article_id"] = "no-such-article"


def year_1800(t: Tables) -> None:
    t["dates"].loc[0, "start_date"] = date(1800, 1, 1)


def unknown_qualifier(t: Tables) -> None:
    t["figures"].loc[0, "qualifier"] = "roughly"


def unknown_change(t: Tables) -> None:
    t["figures"].loc[0, "change"] = "doubled"


def infinite_value(t: Tables) -> None:
    t["figures"].loc[0, "value"] = np.inf


def truncated_text(t: Tables) -> None:
    t["articles"].loc[0, "text"] = TEXT[:-1]


def missing_text(t: Tables) -> None:
    t["articles"].loc[0, "text"] = None


def end_before_start(t: Tables) -> None:
    t["dates"].loc[0, "end_date"] = date(2024, 12, 31)


CORRUPTIONS: list[tuple[Callable[[Tables], None], str, str, dict[str, object]]] = [
    (
        wrong_offsets,
        "figures",
        "expect_column_values_to_be_in_set(span_matches_article_text)",
        {"figure_id": "f1", "char_start": FIG_START + 1, "text": FIGURE, "span_matches_article_text": False},
    ),
    (
        truncated_text,
        "articles",
        "expect_column_values_to_be_in_set(text_is_whole)",
        {"article_id": "a1", "n_chars": len(TEXT), "text_is_whole": False},
    ),
    (missing_text, "articles", "expect_column_values_to_be_in_set(text_is_whole)", {"text_is_whole": False}),
    (duplicate_figure_id, "figures", "expect_column_values_to_be_unique(figure_id)", {"figure_id": "f1"}),
    (null_value, "figures", "expect_column_values_to_not_be_null(value)", {"figure_id": "f1", "value": None}),
    (
        unknown_metric,
        "figures",
        "expect_column_values_to_be_in_set(metric)",
        {"figure_id": "f1", "metric": "not_a_metric"},
    ),
    (
        percentage_150,
        "figures",
        "expect_column_values_to_be_in_set(percent_plausible)",
        {"figure_id": "f1", "value": 150.0},
    ),
    (
        missing_article,
        "figures",
        "expect_column_values_to_be_in_set(article_exists)",
        {"figure_id": "f1", "article_id": "no-such-article", "article_exists": False},
    ),
    (
        year_1800,
        "dates",
        "expect_column_values_to_be_between(start_date)",
        {"date_id": "d1", "start_date": date(1800, 1, 1)},
    ),
    (
        unknown_qualifier,
        "figures",
        "expect_column_values_to_be_in_set(qualifier)",
        {"figure_id": "f1", "qualifier": "roughly"},
    ),
    (
        unknown_change,
        "figures",
        "expect_column_values_to_be_in_set(change)",
        {"figure_id": "f1", "change": "doubled"},
    ),
    (
        infinite_value,
        "figures",
        "expect_column_values_to_be_in_set(value_is_finite)",
        {"figure_id": "f1", "value": float("inf")},
    ),
    (
        end_before_start,
        "dates",
        "expect_column_pair_values_a_to_be_greater_than_b(end_date, start_date)",
        {"date_id": "d1", "end_date": date(2024, 12, 31), "start_date": date(2025, 1, 1)},
    ),
]


@pytest.mark.parametrize(
    ("corrupt", "table", "expectation", "row"),
    CORRUPTIONS,
    ids=[c[0].__name__ for c in CORRUPTIONS],
)
def test_corruption_is_reported(
    corrupt: Callable[[Tables], None], table: str, expectation: str, row: dict[str, object]
) -> None:
    tables = to_frames(valid_rows())
    corrupt(tables)
    report = validate_tables(tables, METRIC_KEYS, run_time=RUN_TIME)

    assert not report.success
    # exactly one failure: each corruption is reported once, by the check that owns it
    assert [(f.table, f.expectation) for f in report.failures] == [(table, expectation)]
    failure: ExpectationFailure = report.failures[0]
    assert failure.detail
    assert failure.offending_rows, failure
    offending = failure.offending_rows[0]
    assert {k: offending.get(k) for k in row} == row, failure


def test_schema_drift_is_reported() -> None:
    """A missing and an extra column fail the column-set check and name both."""
    tables = to_frames(valid_rows())
    tables["figures"] = tables["figures"].drop(columns=["value"]).assign(confidence=0.9)
    tables["dates"]["char_start"] = tables["dates"]["char_start"].astype(float)
    report = validate_tables(tables, METRIC_KEYS, run_time=RUN_TIME)

    assert not report.success
    by_name = {(f.table, f.expectation): f for f in report.failures}
    column_set = by_name[("figures", "expect_table_columns_to_match_set")]
    assert "['confidence']" in column_set.detail
    assert "['value']" in column_set.detail
    assert ("figures", "expect_column_values_to_not_be_null(value)") in by_name  # raised, reported
    assert by_name[("dates", "expect_column_values_to_be_of_type(char_start)")].detail == "observed 'float64'"
    # a broken table does not stop the others from being validated
    assert not [f for f in report.failures if f.table in ("articles", "rejects")]


def test_a_failed_metrics_check_names_its_facts() -> None:
    from transform.facts import build_metrics

    rows = valid_rows()
    tables = {name: pa.Table.from_pylist(rows[name], schema=schema) for name, schema in TABLES.items()}
    metrics = build_metrics(tables["figures"], tables["articles"], tables["dates"]).to_pandas(date_as_object=True)
    assert len(metrics)
    metrics["period_start"], metrics["period_end"] = date(2026, 1, 9), date(2026, 1, 2)  # ends before it starts
    frames = {**to_frames(rows), "metrics": metrics}
    report = validate_tables(frames, METRIC_KEYS, run_time=RUN_TIME)
    failed = [f for f in report.failures if f.table == "metrics"]
    assert failed and all("metric_id" in row for f in failed for row in f.offending_rows)
