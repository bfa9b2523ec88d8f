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


def test_the_window_of_a_sources_file_reaches_the_articles_table(tmp_path) -> None:
    from datetime import UTC, datetime

    from flows.refresh import discover_documents
    from ingest.sources import load_sources
    from transform.batch import process_batch
    from transform.taxonomy import load_taxonomy

    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.txt").write_text(
        "Công an bắt hai đối tượng\nHai đối tượng từng bị xử phạt từ năm 1994.\n", encoding="utf-8"
    )
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - name: archive\n    folder: raw\n    published_between: [2017-01-01, 2017-06-30]\n",
        encoding="utf-8",
    )
    refs, _ = discover_documents.fn(load_sources(tmp_path / "sources.yaml"))
    tables = process_batch(refs, load_taxonomy(), extracted_at=datetime(2026, 12, 1, tzinfo=UTC))
    row = tables["articles"].to_pylist()[0]
    assert (row["published_date"], row["published_precision"]) == (date(2017, 1, 1), "year")
