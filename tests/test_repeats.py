"""The same fact said twice in one article (title, lead, body) links to its first mention
(`figures.repeat_of`), and validation holds the links."""

from __future__ import annotations

from datetime import UTC, datetime

from extract.pipeline import extract_article
from tests.test_validate import RUN_TIME, to_frames, valid_rows
from transform.facts import build_metrics
from transform.tables import ExtractedDocument, build_tables, rounds_to
from transform.taxonomy import load_taxonomy
from transform.validate import validate_tables

TAXONOMY = load_taxonomy()
NOW = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def _figures(text: str) -> list[dict]:
    article = extract_article(text)
    doc = ExtractedDocument("file:///tmp/bai.txt", "0" * 64, article)
    tables = build_tables([doc], [], TAXONOMY, extracted_at=NOW, extractor_version="test")
    return tables["figures"].to_pylist()


def test_a_fact_in_the_title_and_the_body_is_counted_once() -> None:
    text = (
        "Bắt 12 đối tượng đánh bạc tại Hải Phòng\n"
        "Công an TP Hải Phòng vừa bắt quả tang 12 đối tượng đánh bạc, thu 30 triệu đồng. "
        "Cả 12 đối tượng đã bị tạm giữ.\n"
    )
    rows = _figures(text)
    by_text = [(r["text"], r["repeat_of"]) for r in rows]
    suspects = [r for r in rows if r["metric"] == "suspects"]
    assert len(suspects) == 3, by_text
    first = suspects[0]["figure_id"]
    assert suspects[0]["repeat_of"] is None
    assert [r["repeat_of"] for r in suspects[1:]] == [first, first]
    money = [r for r in rows if r["metric"] == "money"]
    assert [r["repeat_of"] for r in money] == [None]
    assert sum(r["repeat_of"] is None for r in rows) == 2  # two facts


def test_other_values_or_places_are_other_facts() -> None:
    text = (
        "Tại Hà Nội, công an bắt 5 đối tượng. Tại Hải Phòng, công an bắt 5 đối tượng. "
        "Ở Hà Nội còn thu 7 đối tượng khác bỏ trốn. Bị cáo A lĩnh 4 năm tù, bị cáo B lĩnh 4 năm."
    )
    rows = _figures(text)
    fives = [r for r in rows if r["value"] == 5]
    assert [r["place"] for r in fives] == ["Hà Nội", "Hải Phòng"]
    assert [r["repeat_of"] for r in fives] == [None, None]
    years = [r for r in rows if r["unit"] == "năm"]
    assert len(years) == 2 and all(r["repeat_of"] is None for r in years if r["item"] is None)


def test_validation_rejects_a_repeat_that_points_nowhere() -> None:
    frames = to_frames(valid_rows())
    frames["figures"]["repeat_of"] = ["no-such-figure"]
    report = validate_tables(frames, TAXONOMY.keys, run_time=RUN_TIME)
    assert any("repeat_is_earlier" in failure.expectation for failure in report.failures)


def test_a_title_rounding_the_body_figure_repeats_it_and_the_fact_is_the_body_number() -> None:
    text = (
        "Quảng Nam: Gần 700 vụ gian lận thương mại dịp Tết, hơn 300 vụ buôn lậu\n"
        "Trong dịp Tết, lực lượng quản lý thị trường tỉnh Quảng Nam đã phát hiện, xử lý 694 vụ gian lận "
        "thương mại và 400 vụ buôn lậu. Tháng trước, lực lượng này xử lý 690 vụ gian lận thương mại.\n"
    )
    article = extract_article(text)
    doc = ExtractedDocument("file:///tmp/bai.txt", "0" * 64, article)
    tables = build_tables([doc], [], TAXONOMY, extracted_at=NOW, extractor_version="test")
    rows = {r["text"].split(" vụ")[0]: r for r in tables["figures"].to_pylist()}
    assert rows["694"]["repeat_of"] == rows["700"]["figure_id"]
    # a title's "hơn 300" states no 400 (past the step of its last digit); it rounds one figure only
    assert rows["400"]["repeat_of"] is None and rows["690"]["repeat_of"] is None
    metrics = build_metrics(tables["figures"], tables["articles"], tables["dates"])
    frames = {name: table.to_pandas(date_as_object=True) for name, table in {**tables, "metrics": metrics}.items()}
    report = validate_tables(frames, TAXONOMY.keys, run_time=NOW, taxonomy=TAXONOMY)
    assert not report.failures, report.failures
    facts = metrics.to_pylist()
    cases = sorted((f["value"], f["qualifier"], f["n_figures"]) for f in facts if f["metric"] == "cases")
    assert cases == [(300.0, "over", 1), (400.0, "exact", 1), (690.0, "exact", 1), (694.0, "exact", 2)]


def test_which_title_figures_round_which_values() -> None:
    assert rounds_to(700, "approx", 694) and rounds_to(5e9, "approx", 4.6e9)
    assert rounds_to(1300, "over", 1312) and rounds_to(126e9, "over", 126_821_490_000)
    assert rounds_to(100, "under", 96) and not rounds_to(100, "under", 104)
    assert not rounds_to(700, "exact", 694)  # an exact title states its own number
    assert not rounds_to(10_000e9, "approx", 6_000e9)  # within the step, but 40% off
    assert not rounds_to(14.6e9, "approx", 14.7e9)  # 14,6 is no rounding of 14,7


def test_an_amount_read_in_dong_carries_its_currency() -> None:
    """ "thu hơn 11.000 tỷ" (rule scaled_alone) is money read in đồng: its row says VND, so a
    sum by currency keeps it; a written unit keeps its own, a count none."""
    text = "Thu ngân sách\nNăm qua ngành thuế thu hơn 11.000 tỷ, phạt 20 triệu USD, bắt 3 đối tượng.\n"
    rows = {r["text"]: r for r in _figures(text)}
    amount = rows["11.000 tỷ"]
    assert (amount["metric"], amount["unit"], amount["currency"]) == ("money", None, "VND")
    assert rows["20 triệu USD"]["currency"] == "USD"
    assert rows["3 đối tượng"]["currency"] is None
