"""A source's declared publication window (sources.yaml `published_between`) bounds the
publication date: one outside it is no date, and with none the window's year stands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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


# --- a window the source's own documents imply (extract.published.source_window) ---

from extract.pipeline import within_window  # noqa: E402
from extract.published import _WINDOW as _SOURCE_WINDOW  # noqa: E402
from extract.published import Published, source_window  # noqa: E402


def _strong(days: list[date], rule: str = "cue_year") -> list[Published]:
    return [Published(d, "day", rule) for d in days]


def test_strongly_dated_documents_that_agree_imply_their_months() -> None:
    days = [date(2019, 3, 1 + i) for i in range(10)] + [date(2019, 4, 2 + i) for i in range(6)]
    window = source_window([*_strong(days), Published(date(2010, 1, 1), "year", "near_any")])
    assert window == (date(2019, 3, 1), date(2019, 4, 30))


def test_an_outlier_does_not_widen_the_window() -> None:
    days = [date(2019, 3, 1 + i) for i in range(19)] + [date(2015, 8, 8)]
    assert source_window(_strong(days)) == (date(2019, 3, 1), date(2019, 3, 31))


def test_thin_or_spread_evidence_implies_no_window() -> None:
    too_few = _SOURCE_WINDOW["min_documents"] - 1
    assert source_window(_strong([date(2019, 3, 1 + i) for i in range(too_few)])) is None
    years = [date(2010 + i % 8, 5, 1) for i in range(40)]  # eight years: no short span holds 90%
    assert source_window(_strong(years)) is None
    weak = [Published(date(2019, 3, 1 + i), "day", "near_month") for i in range(30)]
    assert source_window(weak) is None  # only the strong rules count


def test_a_window_outranks_what_the_text_only_implies() -> None:
    window = (date(2019, 1, 1), date(2019, 6, 30))
    implied = Published(date(2018, 5, 1), "month", "near_any")
    assert within_window(implied, window) == Published(date(2019, 1, 1), "year", "window")
    inside = Published(date(2019, 5, 1), "month", "near_any")
    assert within_window(inside, window) == inside
    header = Published(date(2015, 3, 2), "day", "header")
    assert within_window(header, window) == Published(None, "none", "none")


def test_a_folder_dated_by_its_own_articles_dates_the_rest(tmp_path) -> None:
    from datetime import UTC, datetime

    from flows.refresh import discover_documents
    from ingest.sources import source_for_input
    from transform.batch import process_batch
    from transform.taxonomy import load_taxonomy

    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(14):  # each dates itself: today's day with its year
        (raw / f"dated{i:02d}.txt").write_text(
            f"Công an bắt {i + 2} đối tượng\nSáng nay ({i + 1}/3/2019), Công an huyện bắt {i + 2} đối tượng.\n",
            encoding="utf-8",
        )
    (raw / "undated.txt").write_text(
        "Xử phạt chủ quán\nNgày 12/3, đoàn kiểm tra xử phạt một quán từng bị nhắc nhở từ năm 2012.\n",
        encoding="utf-8",
    )
    refs, _ = discover_documents.fn([source_for_input(str(raw))])
    assert {ref.published_between for ref in refs} == {(date(2019, 3, 1), date(2019, 3, 31))}
    tables = process_batch(refs, load_taxonomy(), extracted_at=datetime(2026, 12, 1, tzinfo=UTC))
    rows = {Path(r["source_uri"]).name: r for r in tables["articles"].to_pylist()}
    undated = rows["undated.txt"]
    assert (undated["published_date"], undated["published_precision"]) == (date(2019, 3, 1), "month")
    assert undated["published_evidence"] == "window"
    assert rows["dated03.txt"]["published_evidence"] == "cue_year"
    dates = tables["dates"].to_pylist()
    assert any(d["start_date"] == date(2019, 3, 12) for d in dates)  # its yearless day is read in the window


def test_a_sources_file_can_turn_the_inferred_window_off(tmp_path) -> None:
    from flows.refresh import discover_documents
    from ingest.sources import load_sources

    (tmp_path / "raw").mkdir()
    for i in range(14):
        (tmp_path / "raw" / f"d{i}.txt").write_text(
            f"Công an bắt {i + 2} đối tượng\nSáng nay ({i + 1}/3/2019), Công an bắt {i + 2} đối tượng.\n",
            encoding="utf-8",
        )
    listed = "sources:\n  - name: archive\n    folder: raw\n"
    (tmp_path / "on.yaml").write_text(listed, encoding="utf-8")
    (tmp_path / "off.yaml").write_text(listed + "    published_between: none\n", encoding="utf-8")
    on, _ = discover_documents.fn(load_sources(tmp_path / "on.yaml"))
    off, _ = discover_documents.fn(load_sources(tmp_path / "off.yaml"))
    assert {r.published_between for r in on} == {(date(2019, 3, 1), date(2019, 3, 31))}
    assert {r.published_between for r in off} == {None}


def test_an_implied_window_is_saved_and_read_again_while_its_sample_is_unchanged(tmp_path, monkeypatch) -> None:
    """A rerun does not read the sample again (it cost half a second at 354k documents):
    the window is kept beside the output with what it was inferred from, and a changed
    file of the sample makes it inferred anew."""
    import os

    import flows.refresh as refresh_module
    from ingest.sources import source_for_input
    from transform.publish import read_windows

    raw, output = tmp_path / "raw", tmp_path / "tables"
    raw.mkdir()
    for i in range(14):
        (raw / f"dated{i:02d}.txt").write_text(
            f"Công an bắt {i + 2} đối tượng\nSáng nay ({i + 1}/3/2019), Công an huyện bắt {i + 2} đối tượng.\n",
            encoding="utf-8",
        )
    import transform.windows as windows_module

    inferred = []
    infer = windows_module.infer_window
    monkeypatch.setattr(windows_module, "infer_window", lambda refs, as_of: inferred.append(1) or infer(refs, as_of))
    source = source_for_input(str(raw))
    window = (date(2019, 3, 1), date(2019, 3, 31))

    first, _ = refresh_module.discover_documents.fn([source], output)
    again, _ = refresh_module.discover_documents.fn([source], output)
    assert len(inferred) == 1 and {r.published_between for r in first + again} == {window}
    assert read_windows(output)[source.location]["window"] == ["2019-03-01", "2019-03-31"]

    changed = raw / "dated05.txt"
    changed.write_text("Tin mới\nKhông có ngày.\n", encoding="utf-8")
    os.utime(changed, ns=(1_000_000_000, 1_000_000_000))
    later, _ = refresh_module.discover_documents.fn([source], output)
    assert len(inferred) == 2 and {r.published_between for r in later} == {window}


# --- rules too weak alone, tried once a window checks them ([source_window] checked_rules) ---


def _published_in(text: str, window: tuple[date, date] | None) -> Published:
    from extract.pipeline import article_published

    return article_published(text, date(2026, 12, 1), window)


_YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))


def test_a_year_the_text_names_in_the_window_dates_it_and_says_so() -> None:
    text = "Đội tuyển chuẩn bị cho SEA Games 2019\nCác vận động viên tập luyện cho SEA Games 2019 tại Hà Nội.\n"
    assert _published_in(text, None) == Published(None, "none", "none")  # alone: not older than 2019, no more
    assert _published_in(text, _YEAR_2019) == Published(date(2019, 1, 1), "year", "window_year")


def test_a_text_that_cites_only_earlier_years_is_given_the_window_alone() -> None:
    text = "Xử phạt chủ quán\nQuán này từng bị nhắc nhở từ năm 2012 và năm 2015.\n"
    assert _published_in(text, _YEAR_2019).evidence == "window"


def test_the_latest_day_cited_dates_within_a_window_and_not_without() -> None:
    text = "Khởi tố kẻ trộm\nBị can khai đã trộm 2 xe máy. Trước đó, ngày 3/4/2019, Công an huyện đã khởi tố vụ án.\n"
    assert _published_in(text, None).evidence == "none"
    assert _published_in(text, _YEAR_2019) == Published(date(2019, 4, 1), "month", "latest_day")


def test_a_weak_rules_date_outside_the_window_is_passed_over_for_the_next() -> None:
    # the latest day cited is of 2018; in a window of 2019 the text still names 2019 (a plan)
    text = (
        "Khởi công cầu mới\nCầu dài 2 km. Trước đó, ngày 3/4/2018, tỉnh đã phê duyệt dự án."
        " Dự kiến cầu sẽ thông xe vào năm 2019.\n"
    )
    assert _published_in(text, (date(2018, 1, 1), date(2018, 12, 31))).evidence == "latest_day"
    assert _published_in(text, _YEAR_2019) == Published(date(2019, 1, 1), "year", "window_year")


def test_a_window_of_many_years_names_no_year() -> None:
    text = "Đội tuyển chuẩn bị cho SEA Games 2019\nCác vận động viên tập luyện tại Hà Nội.\n"
    wide = (date(2017, 1, 1), date(2020, 12, 31))
    assert _published_in(text, wide) == Published(None, "none", "none")  # nor a year of its own to give
