"""The metrics dataset (transform/facts.py): one row per distinct reported fact, with
the figures, articles and outlets behind it (issue 12)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tests.corpus import load_examples
from transform.facts import METRICS, PERIOD_SOURCES, build_metrics
from transform.schemas import ARTICLES, DATES, FIGURES

SHARED = Path(__file__).resolve().parents[2] / "shared"
NOW = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)

WIRE = "Công an tỉnh Nam Định triệt phá 4 đường dây ma túy trong tháng 5/2024."


def _article(article_id: str, text: str, *, outlet: str | None, published: date | None, precision: str = "day") -> dict:
    row: dict = dict.fromkeys(ARTICLES.names)
    precision = precision if published else "none"
    row.update(
        article_id=article_id,
        source_uri=f"file:///tmp/{article_id}.txt",
        outlet=outlet,
        published_date=published,
        published_precision=precision,
        text=text,
        n_chars=len(text),
        content_sha256="0" * 64,
        extracted_at=NOW,
        extractor_version="test",
        taxonomy_version="test",
    )
    return row


def _figure(figure_id: str, article_id: str, text: str, number: str, **fields: object) -> dict:
    """A figure row whose span is the first `number` in `text`, its sentence the whole
    text unless given."""
    start = text.index(number)
    row: dict = dict.fromkeys(FIGURES.names)
    row.update(
        figure_id=figure_id,
        article_id=article_id,
        char_start=start,
        char_end=start + len(number),
        text=number,
        value=float(number),
        qualifier="exact",
        metric="cases",
        plausible=True,
        sentence=text,
        rule="noun_after",
        place="Nam Định",
        place_code="36",
        place_current="Ninh Bình",
    )
    row.update(fields)
    return row


def _date(date_id: str, article_id: str, text: str, written: str, day: date, granularity: str = "day") -> dict:
    start = text.index(written)
    return {
        "date_id": date_id,
        "article_id": article_id,
        "char_start": start,
        "char_end": start + len(written),
        "text": written,
        "start_date": day,
        "end_date": day,
        "granularity": granularity,
        "year_inferred": False,
    }


def _metrics(figures: list[dict], articles: list[dict], dates: list[dict] | None = None) -> list[dict]:
    table = build_metrics(
        pa.Table.from_pylist(figures, schema=FIGURES),
        pa.Table.from_pylist(articles, schema=ARTICLES),
        pa.Table.from_pylist(dates or [], schema=DATES),
    )
    assert table.schema.equals(METRICS)
    table.validate(full=True)
    return table.to_pylist()


def _period(row: dict) -> tuple[object, object, object]:
    """A fact row's period: its source, first and last day."""
    return row["period_source"], row["period_start"], row["period_end"]


MAY_2024 = {"period_start": date(2024, 5, 1), "period_end": date(2024, 5, 31)}


def test_a_wire_story_carried_by_two_outlets_is_one_fact() -> None:
    articles = [
        _article("a1", WIRE, outlet="Báo A", published=date(2024, 6, 2)),
        _article("a2", WIRE + " (theo TTXVN)", outlet="Báo B", published=date(2024, 6, 3)),
    ]
    figures = [
        _figure("f1", "a1", WIRE, "4", **MAY_2024),
        _figure("f2", "a2", WIRE, "4", **MAY_2024, qualifier="approx"),
    ]
    [row] = _metrics(figures, articles)
    assert (row["n_figures"], row["n_articles"], row["n_outlets"]) == (2, 2, 2)
    assert row["figure_ids"] == ["f1", "f2"] and row["article_ids"] == ["a1", "a2"]
    assert (row["first_published"], row["last_published"]) == (date(2024, 6, 2), date(2024, 6, 3))
    assert row["period_source"] == "stated" and row["period_start"] == date(2024, 5, 1)
    assert row["qualifier"] == "exact"  # a tie: the first mention's
    assert row["conflict"] is False and row["plausible"] is True


def test_an_unnamed_outlet_counts_as_an_article_not_an_outlet() -> None:
    articles = [
        _article("a1", WIRE, outlet="Báo A", published=date(2024, 6, 2)),
        _article("a2", WIRE + " ", outlet=None, published=date(2024, 6, 2)),
    ]
    figures = [_figure("f1", "a1", WIRE, "4", **MAY_2024), _figure("f2", "a2", WIRE, "4", **MAY_2024)]
    [row] = _metrics(figures, articles)
    assert (row["n_articles"], row["n_outlets"]) == (2, 1)


def test_a_fact_in_the_title_and_the_body_is_one_row() -> None:
    title = "Triệt phá 4 đường dây ma túy"
    text = f"{title}\n{WIRE}"
    articles = [_article("a1", text, outlet="Báo A", published=date(2024, 6, 2))]
    body_start = text.index(WIRE)
    figures = [
        # the title states no period: its body repeat does, and the fact takes it
        _figure("f1", "a1", text, "4", sentence=title, place=None, place_code=None, place_current=None),
        {
            **_figure("f2", "a1", text, "4", sentence=WIRE, repeat_of="f1", **MAY_2024),
            "char_start": body_start + WIRE.index("4"),
            "char_end": body_start + WIRE.index("4") + 1,
        },
    ]
    [row] = _metrics(figures, articles)
    assert (row["n_figures"], row["n_articles"], row["n_outlets"]) == (2, 1, 1)
    assert row["figure_ids"] == ["f1", "f2"]
    assert row["period_source"] == "stated" and row["place"] == "Nam Định"
    assert row["sentence"] == title  # the first mention's


def test_two_values_for_one_metric_place_and_period_conflict() -> None:
    other = WIRE.replace("4", "5")
    articles = [
        _article("a1", WIRE, outlet="Báo A", published=date(2024, 6, 2)),
        _article("a2", other, outlet="Báo B", published=date(2024, 6, 2)),
        _article("a3", WIRE.replace("Nam Định", "Hà Nam"), outlet="Báo C", published=date(2024, 6, 2)),
    ]
    figures = [
        _figure("f1", "a1", WIRE, "4", **MAY_2024),
        _figure("f2", "a2", other, "5", **MAY_2024),
        _figure("f3", "a3", WIRE, "4", **MAY_2024, place="Hà Nam", place_code="35"),
    ]
    rows = _metrics(figures, articles)
    by_place_value = {(r["place"], r["value"]): r["conflict"] for r in rows}
    assert by_place_value == {("Nam Định", 4.0): True, ("Nam Định", 5.0): True, ("Hà Nam", 4.0): False}


def test_two_values_of_one_article_are_a_breakdown_not_a_conflict() -> None:
    text = "Trong tháng 5/2024, công an bắt 50 đối tượng ma túy và 30 đối tượng trộm cắp."
    articles = [_article("a1", text, outlet="Báo A", published=date(2024, 6, 2))]
    figures = [
        _figure("f1", "a1", text, "50", metric="suspects", **MAY_2024),
        _figure("f2", "a1", text, "30", metric="suspects", **MAY_2024),
    ]
    assert [r["conflict"] for r in _metrics(figures, articles)] == [False, False]


def test_undated_facts_merge_only_when_their_sentence_is_reposted() -> None:
    one = "Công an phát hiện 1 vụ trộm cắp tài sản."
    other = "Tòa án xét xử 1 vụ tham ô."
    articles = [
        _article("a1", one, outlet="Báo A", published=None),
        _article("a2", one + " ", outlet="Báo B", published=None),
        _article("a3", other, outlet="Báo C", published=None),
    ]
    figures = [
        _figure("f1", "a1", one, "1"),
        _figure("f2", "a2", one, "1", sentence="Công an phát hiện 1 vụ trộm cắp tài sản"),  # a re-post
        _figure("f3", "a3", other, "1"),
    ]
    rows = _metrics(figures, articles)
    assert sorted(r["figure_ids"] for r in rows) == [["f1", "f2"], ["f3"]]
    assert all(r["period_source"] == "none" for r in rows)


def test_period_source_stated_sentence_date_published_and_none() -> None:
    dated = "Ngày 3/5, công an bắt 7 đối tượng. Sáng nay, công an thu giữ 9 xe máy."
    articles = [
        _article("a1", dated, outlet="Báo A", published=date(2024, 5, 10)),
        _article("a2", "Hội nghị có 11 đại biểu.", outlet="Báo A", published=date(2024, 5, 1), precision="month"),
        _article("a3", "Đoàn có 13 thành viên.", outlet=None, published=None),
    ]
    first, second = dated.split(". ")
    figures = [
        _figure("f0", "a1", dated, "7", sentence=first + ".", metric="suspects", **MAY_2024),
        _figure("f1", "a1", dated, "7", sentence=first + ".", metric="cases"),
        _figure("f2", "a1", dated, "9", sentence=second, metric="vehicles"),
        _figure("f3", "a2", "Hội nghị có 11 đại biểu.", "11", metric="personnel"),
        _figure("f4", "a3", "Đoàn có 13 thành viên.", "13", metric="personnel"),
        _figure("fx", "a3", "Đoàn có 13 thành viên.", "13", metric=None),  # no metric: no fact
    ]
    dates = [_date("d1", "a1", dated, "Ngày 3/5", date(2024, 5, 3))]
    rows = {r["figure_ids"][0]: r for r in _metrics(figures, articles, dates)}
    assert set(rows) == {"f0", "f1", "f2", "f3", "f4"}
    periods = {fid: (r["period_source"], r["period_start"], r["period_end"]) for fid, r in rows.items()}
    assert periods == {
        "f0": ("stated", date(2024, 5, 1), date(2024, 5, 31)),
        "f1": ("sentence_date", date(2024, 5, 3), date(2024, 5, 3)),  # the date its sentence names
        "f2": ("published", date(2024, 5, 10), date(2024, 5, 10)),  # a date of another sentence does not count
        "f3": ("published", date(2024, 5, 1), date(2024, 5, 31)),  # a month-precision published date
        "f4": ("none", None, None),
    }
    assert {r["period_source"] for r in rows.values()} <= set(PERIOD_SOURCES)
    assert rows["f4"]["conflict"] is False and rows["f4"]["first_published"] is None


def test_a_year_the_sentence_names_is_the_period_and_a_year_compared_with_is_not() -> None:
    yearly = "Năm 2016, cả nước xảy ra gần 8.000 vụ."
    compared = "Tháng này công an bắt 40 đối tượng, tăng 9 đối tượng so với cùng kỳ năm 2016."
    base = "Kim ngạch đạt 4300 triệu USD, tăng 9,3% so với năm 2016."
    articles = [
        _article("a1", yearly, outlet="Báo A", published=date(2017, 3, 2)),
        _article("a2", compared, outlet="Báo A", published=date(2017, 3, 2)),
        _article("a3", base, outlet="Báo A", published=date(2017, 3, 2)),
    ]
    figures = [
        _figure("f1", "a1", yearly, "8.000", value=8000.0),
        _figure("f2", "a2", compared, "40", metric="suspects"),
        _figure("f3", "a3", base, "4300", unit="USD", metric="money"),
    ]
    dates = [
        _date("d1", "a1", yearly, "Năm 2016", date(2016, 1, 1), granularity="year"),
        {**_date("d2", "a2", compared, "cùng kỳ năm 2016", date(2016, 3, 1), "month"), "end_date": date(2016, 3, 31)},
        {**_date("d3", "a3", base, "năm 2016", date(2016, 1, 1), "year"), "end_date": date(2016, 12, 31)},
    ]
    dates[0]["end_date"] = date(2016, 12, 31)
    rows = {r["figure_ids"][0]: r for r in _metrics(figures, articles, dates)}
    assert _period(rows["f1"]) == ("sentence_date", date(2016, 1, 1), date(2016, 12, 31))
    # "so với (cùng kỳ) năm 2016" is the base of a comparison: the counts are not of 2016. A
    # base of another year's same period makes the count a tally over a period, of no
    # publication day; a base of a year is no such tally
    assert (rows["f2"]["period_source"], rows["f2"]["period_start"]) == ("none", None)
    assert (rows["f3"]["period_source"], rows["f3"]["period_start"]) == ("published", date(2017, 3, 2))


def test_a_rate_or_a_total_over_years_takes_no_publication_date() -> None:
    yearly = "Mỗi năm cả nước có khoảng 7000 người chết vì tai nạn giao thông."
    decade = "Chỉ tính trong hơn 10 năm qua, lực lượng đã xử lý gần 2000 vụ việc."
    today = "Công an huyện đã bắt 4 đối tượng."
    articles = [
        _article(a, t, outlet="Báo A", published=date(2017, 6, 1))
        for a, t in (("a1", yearly), ("a2", decade), ("a3", today))
    ]
    figures = [
        _figure("f1", "a1", yearly, "7000", metric="casualties"),
        _figure("f2", "a2", decade, "2000"),
        _figure("f3", "a3", today, "4", metric="suspects"),
    ]
    rows = {r["figure_ids"][0]: r for r in _metrics(figures, articles)}
    assert {fid: rows[fid]["period_source"] for fid in rows} == {"f1": "none", "f2": "none", "f3": "published"}
    assert rows["f1"]["period_start"] is None and rows["f3"]["period_start"] == date(2017, 6, 1)


def test_a_bound_of_a_tally_is_no_sentence_date() -> None:
    tally = "Tính đến ngày 12/5, tuyến đã phục vụ gần 3400 lượt phương tiện."
    event = "Ngày 12/5, công an bắt 4 đối tượng."
    articles = [_article(a, t, outlet="Báo A", published=date(2017, 5, 20)) for a, t in (("a1", tally), ("a2", event))]
    figures = [
        _figure("f1", "a1", tally, "3400", metric="vehicles"),
        _figure("f2", "a2", event, "4", metric="suspects"),
    ]
    dates = [
        _date("d1", "a1", tally, "ngày 12/5", date(2017, 5, 12)),
        _date("d2", "a2", event, "Ngày 12/5", date(2017, 5, 12)),
    ]
    rows = {r["figure_ids"][0]: r for r in _metrics(figures, articles, dates)}
    # a running total up to a day is of no one day: neither that day nor the publication's
    assert (rows["f1"]["period_source"], rows["f1"]["period_start"]) == ("none", None)
    assert (rows["f2"]["period_source"], rows["f2"]["period_start"]) == ("sentence_date", date(2017, 5, 12))


def test_which_sentences_are_recurring() -> None:
    from extract.figures import is_recurring

    assert is_recurring("Hằng năm có hàng triệu người chết do kháng thuốc.")
    assert is_recurring("Trong hai năm gần đây, tỉnh xảy ra 30 vụ.")
    assert is_recurring("Bình quân mỗi hộ thu 50 triệu đồng.")
    assert is_recurring("Tính đến nay, lực lượng đã bắt 30 đối tượng.")
    assert not is_recurring("Năm nay, tỉnh xảy ra 30 vụ.")
    assert not is_recurring("Trong năm qua, công an bắt 12 đối tượng.")  # the past year is one span
    assert not is_recurring("Công an thu giữ 2 xe máy mỗi.")


def test_metric_ids_are_stable_and_unique() -> None:
    articles = [_article("a1", WIRE, outlet="Báo A", published=date(2024, 6, 2))]
    figures = [_figure("f1", "a1", WIRE, "4", **MAY_2024), _figure("f2", "a1", WIRE, "5", **MAY_2024)]
    once, again = _metrics(figures, articles), _metrics(list(reversed(figures)), articles)
    assert sorted(r["metric_id"] for r in once) == sorted(r["metric_id"] for r in again)
    assert len({r["metric_id"] for r in once}) == 2


def test_no_figures_give_an_empty_table_of_the_schema() -> None:
    table = build_metrics(FIGURES.empty_table(), ARTICLES.empty_table(), DATES.empty_table())
    assert table.num_rows == 0 and table.schema.equals(METRICS)


@pytest.mark.skipif(
    not (SHARED / "corpus" / "seeds").is_dir(),
    reason=f"{SHARED} not found: the seeds test needs ../shared beside the checkout",
)
def test_the_seed_facts_come_out() -> None:
    from ingest.local import discover
    from transform.batch import process_batch
    from transform.taxonomy import load_taxonomy

    refs, _ = discover([SHARED / "corpus" / "seeds"])
    tables = process_batch(refs, load_taxonomy(), extracted_at=datetime.now(UTC))
    rows = build_metrics(tables["figures"], tables["articles"], tables["dates"]).to_pylist()
    facts = {(r["metric"], r["value"], r["place"]): r for r in rows}
    year_2025 = (date(2025, 1, 1), date(2025, 12, 31))
    for metric, value in (("security_events", 2834.0), ("drone_incidents", 283.0)):
        fact = facts[(metric, value, "Hà Nội")]
        assert (fact["period_start"], fact["period_end"]) == year_2025, metric
        assert fact["period_source"] == "stated"
    assert ("communes_wards", 126.0, "Hà Nội") in facts
    assert len({r["metric_id"] for r in rows}) == len(rows)


def test_the_validation_columns_hold_the_ids_and_counts() -> None:
    from transform.facts import DERIVED

    articles = [
        _article("a1", WIRE, outlet="Báo A", published=date(2024, 6, 2)),
        _article("a2", WIRE + " ", outlet=None, published=date(2024, 6, 2)),
    ]
    figures = [_figure("f1", "a1", WIRE, "4", **MAY_2024), _figure("f2", "a2", WIRE, "5", **MAY_2024)]
    frames = {
        "figures": pa.Table.from_pylist(figures, schema=FIGURES).to_pandas(),
        "articles": pa.Table.from_pylist(articles, schema=ARTICLES).to_pandas(),
    }
    metrics = pa.Table.from_pylist(_metrics(figures, articles), schema=METRICS).to_pandas()
    for name, derive in DERIVED.items():
        # null: the check does not apply (no part_of for whole_exists)
        assert derive(metrics, frames).fillna(True).tolist() == [True, True], name
    metrics.loc[0, "n_articles"] = 2
    frames["figures"] = frames["figures"].iloc[:1]
    assert DERIVED["figures_exist"](metrics, frames).tolist().count(False) == 1
    assert DERIVED["counts_agree"](metrics, frames).tolist()[0] is False


def test_an_open_span_runs_to_the_publication() -> None:
    text = "Từ tháng 4/2024, Công an tỉnh Nam Định đã triệt phá 4 đường dây ma túy."
    articles = [_article("a1", text, outlet="Báo A", published=date(2024, 6, 20))]
    figures = [_figure("f1", "a1", text, "4", period_start=date(2024, 4, 1), period_end=None)]
    [row] = _metrics(figures, articles)
    assert (row["period_start"], row["period_end"], row["period_source"]) == (
        date(2024, 4, 1),
        date(2024, 6, 20),
        "stated",
    )


def test_an_open_span_that_starts_after_the_article_is_its_first_day() -> None:
    text = "Từ tháng 7/2024, Công an tỉnh Nam Định sẽ triệt phá 4 đường dây ma túy."
    articles = [_article("a1", text, outlet="Báo A", published=date(2024, 6, 20))]
    figures = [_figure("f1", "a1", text, "4", period_start=date(2024, 7, 1), period_end=None)]
    [row] = _metrics(figures, articles)
    assert (row["period_start"], row["period_end"]) == (date(2024, 7, 1), date(2024, 7, 1))


def test_a_null_is_keyed_alike_whatever_else_its_column_holds() -> None:
    """The fact key of a figure must not depend on the rows it is keyed with: a refresh keys
    one new article alone, a run from nothing keys it among others, and both must give its
    fact one id (a column of nulls once keyed them as "", a mixed one as NUL)."""
    import numpy as np
    import pandas as pd

    from transform.facts import _key_part

    alone = _key_part(pd.Series([np.nan], dtype="float64"))
    among = _key_part(pd.Series([np.nan, 2.5], dtype="float64"))
    assert alone.iloc[0] == among.iloc[0] != ""
    assert _key_part(pd.Series([None], dtype=object)).iloc[0] == alone.iloc[0]


def test_a_change_and_a_level_are_two_facts_that_do_not_conflict() -> None:
    """ "giảm 12 vụ" (a fall) beside "12 vụ" (a level) of the same scope: two facts, and a
    level's sum can leave the change out (README: metrics[metrics.change.isna()])."""
    level = "Trong tháng 5/2024, tỉnh Nam Định xảy ra 12 vụ trộm cắp."
    fall = "Trong tháng 5/2024, tỉnh Nam Định xảy ra 30 vụ trộm, giảm 12 vụ so với cùng kỳ."
    articles = [
        _article("a1", level, outlet="Báo A", published=date(2024, 6, 2)),
        _article("a2", fall, outlet="Báo B", published=date(2024, 6, 2)),
    ]
    figures = [
        _figure("f1", "a1", level, "12", **MAY_2024),
        _figure("f2", "a2", fall, "30", **MAY_2024),
        _figure("f3", "a2", fall, "12", **MAY_2024, change="fall"),
    ]
    rows = _metrics(figures, articles)
    by_value = {(r["value"], r["change"]): r for r in rows}
    assert set(by_value) == {(12.0, None), (30.0, None), (12.0, "fall")}
    assert len({r["metric_id"] for r in rows}) == 3
    # the two levels disagree (two articles, two values); the fall is not a third answer
    assert by_value[12.0, "fall"]["conflict"] is False
    assert by_value[12.0, None]["conflict"] is True and by_value[30.0, None]["conflict"] is True
    levels = [r["value"] for r in rows if r["change"] is None]
    assert sorted(levels) == [12.0, 30.0]


@pytest.mark.parametrize("example", load_examples("periods"), ids=lambda e: f"{e['figure']}: {e['text'][:40]}")
def test_period_cues_of_the_corpus(example: dict[str, Any]) -> None:
    from extract.figures import TrailingSpan, is_recurring, stated_duration

    text, at = example["text"], example["text"].index(example["figure"])
    assert is_recurring(text, at) is example["recurring"], example.get("why")
    months, days = example.get("months", 0), example.get("days", 0)
    expected = TrailingSpan(months, days) if months or days else None
    assert stated_duration(text, at) == expected, example.get("why")


def test_a_span_up_to_now_is_the_period_before_the_publication() -> None:
    half, stock = "Trong 6 tháng, thành phố có hơn 2.000 vụ án bị khởi tố.", "Ngày 3/7, thành phố hiện có 480.000 ô tô."
    text = f"{half} {stock}"
    article = _article("a1", text, outlet="Báo A", published=date(2017, 7, 4))
    figures = [
        _figure("f1", "a1", text, "2.000", sentence=half, metric="cases"),
        _figure("f2", "a1", text, "480.000", sentence=stock, metric="vehicles"),
    ]
    rows = {
        r["figure_ids"][0]: r
        for r in _metrics(figures, [article], [_date("d1", "a1", text, "Ngày 3/7", date(2017, 7, 3))])
    }
    assert _period(rows["f1"]) == ("published", date(2017, 1, 5), date(2017, 7, 4))
    # a stock is of no one day, not even the one its sentence names
    assert _period(rows["f2"]) == ("none", None, None)


def test_a_span_up_to_an_article_known_by_its_month_or_year_covers_what_it_may() -> None:
    # "trong tuần qua" of an article of some day of 2017 is no week of December: the span
    # runs from a week before the year's first day to its last
    text = "Trong tuần qua, lực lượng chức năng xử lý 1.400 vụ vi phạm."
    for precision, published, start, end in (
        ("year", date(2017, 1, 1), date(2016, 12, 26), date(2017, 12, 31)),
        ("month", date(2017, 6, 1), date(2017, 5, 26), date(2017, 6, 30)),
        ("day", date(2017, 6, 20), date(2017, 6, 14), date(2017, 6, 20)),
    ):
        article = _article("a1", text, outlet="Báo A", published=published, precision=precision)
        (row,) = _metrics([_figure("f1", "a1", text, "1.400", sentence=text, metric="cases")], [article])
        assert _period(row) == ("published", start, end), precision


def test_a_report_s_lead_frames_the_figures_with_no_date_of_their_own() -> None:
    report = (
        "Tình hình 6 tháng đầu năm 2017. Trong 6 tháng đầu năm 2017, công an thành phố đã ra quân. "
        "Qua tuần tra, lực lượng đã xử lý hơn 270.000 trường hợp vi phạm. Sáng 3/7, công an bắt 5 đối tượng."
    )
    plain = "Công an thành phố bắt 6 đối tượng, tăng 2 đối tượng so với cùng kỳ."
    articles = [_article(a, t, outlet="Báo A", published=date(2017, 7, 4)) for a, t in (("a1", report), ("a2", plain))]
    sentences = report.split(". ")
    figures = [
        _figure("f1", "a1", report, "270.000", sentence=sentences[2] + ".", metric="violations"),
        _figure("f2", "a1", report, "5", sentence=sentences[3], metric="suspects"),
        _figure("f3", "a2", plain, "6", metric="suspects"),
    ]
    half = {"start_date": date(2017, 1, 1), "end_date": date(2017, 6, 30), "granularity": "month"}
    dates = [
        {**_date("d1", "a1", report, "6 tháng đầu năm 2017", date(2017, 1, 1)), **half},
        _date("d2", "a1", report, "Sáng 3/7", date(2017, 7, 3)),
    ]
    rows = {r["figure_ids"][0]: r for r in _metrics(figures, articles, dates)}
    assert _period(rows["f1"]) == ("report", date(2017, 1, 1), date(2017, 6, 30))
    # a date of its own sentence comes first; a tally compared with the same period of last
    # year, in an article no lead frames, is of no publication day
    assert (rows["f2"]["period_source"], rows["f2"]["period_start"]) == ("sentence_date", date(2017, 7, 3))
    assert (rows["f3"]["period_source"], rows["f3"]["period_start"]) == ("none", None)


@pytest.mark.parametrize(
    ("lead", "date_text", "frames"),
    [
        ("Trong 6 tháng đầu năm 2017, công an đã ra quân.", "6 tháng đầu năm 2017", True),
        ("Trong năm 2016, toàn tỉnh xảy ra nhiều vụ cháy.", "năm 2016", True),
        ("Báo cáo quý I/2017 của Bộ cho biết.", "quý I/2017", True),
        ("Công trình bàn giao vào cuối tháng 3-2016 đã lún, nứt.", "tháng 3-2016", False),
        ("Hồi đầu tháng 12/2016, hãng đã giảm giá.", "tháng 12/2016", False),
    ],
)
def test_which_dates_of_a_lead_frame_a_report(lead: str, date_text: str, frames: bool) -> None:
    from extract.figures import frames_report

    start = lead.index(date_text)
    assert frames_report(lead.lower(), start, start + len(date_text)) is frames


def test_a_span_not_over_at_the_publication_frames_no_report() -> None:
    target = "Trong 6 tháng cuối năm 2017, các ngành phải kéo giảm tai nạn. Năm qua xảy ra 23 vụ nghiêm trọng."
    article = _article("a1", target, outlet="Báo A", published=date(2017, 7, 10))
    figure = _figure("f1", "a1", target, "23", sentence=target.split(". ")[1], metric="cases")
    late_half = {"start_date": date(2017, 7, 1), "end_date": date(2017, 12, 31), "granularity": "month"}
    frame = {**_date("d1", "a1", target, "6 tháng cuối năm 2017", date(2017, 7, 1)), **late_half}
    (row,) = _metrics([figure], [article], [frame])
    assert row["period_source"] != "report"


def test_a_date_whose_year_is_a_guess_dates_no_fact() -> None:
    """In an article with no publication date, "Ngày 3/5" took its year from the latest day
    the text cites: a guess (`year_inferred`). Its sentence's fact gets no period from it,
    while the same date in a dated article gives one (sentence_date)."""
    text = "Ngày 3/5, công an bắt 7 đối tượng."
    articles = [
        _article("a1", text, outlet="Báo A", published=None),
        _article("a2", text, outlet="Báo B", published=date(2016, 5, 10)),
    ]
    figures = [
        _figure("f1", "a1", text, "7", metric="suspects"),
        _figure("f2", "a2", text, "7", metric="cases"),
    ]
    guessed = {**_date("d1", "a1", text, "Ngày 3/5", date(2016, 5, 3)), "year_inferred": True}
    inferred = {**_date("d2", "a2", text, "Ngày 3/5", date(2016, 5, 3)), "year_inferred": True}
    rows = {r["figure_ids"][0]: r for r in _metrics(figures, articles, [guessed, inferred])}
    assert _period(rows["f1"]) == ("none", None, None)
    assert _period(rows["f2"]) == ("sentence_date", date(2016, 5, 3), date(2016, 5, 3))
