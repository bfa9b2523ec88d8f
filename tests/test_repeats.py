"""The same fact said twice in one article (title, lead, body) links to its first mention
(`figures.repeat_of`), and validation holds the links."""

from __future__ import annotations

from datetime import UTC, datetime

from extract.pipeline import extract_article
from tests.test_validate import RUN_TIME, to_frames, valid_rows
from transform.tables import ExtractedDocument, build_tables
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
