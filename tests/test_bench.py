"""The benchmark (`tools/bench.py`, `tools/bench_corpus.py`): the copies it makes for the
scaled corpus, its verdicts on issues 13's and 4's targets, and how it survives a
failed or over-long flow run. Fast: no flow runs, no real corpus."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from extract.pipeline import extract_article
from tools import bench_corpus
from tools.bench import parse_scales

# Articles written for these tests, in the shapes of the corpus: a title, a lead with
# an outlet, paragraphs with figures and dates, a credit on the last line.
LONG_ARTICLE = """Công an tỉnh Hải Dương triệt phá đường dây đánh bạc qua mạng
(Tin Nhanh) - Ngày 12/3, Công an tỉnh Hải Dương cho biết đã bắt giữ 15 người trong một đường dây đánh bạc qua mạng.
Theo cơ quan điều tra, số tiền giao dịch của đường dây lên tới 20 tỷ đồng trong 6 tháng đầu năm.
Lực lượng chức năng đã thu giữ 8 điện thoại di động, 2 máy tính xách tay và hơn 300 triệu đồng tiền mặt.
Trong đó, 4 đối tượng cầm đầu bị khởi tố về tội tổ chức đánh bạc.
Vụ việc đang được tiếp tục điều tra, mở rộng. Minh Khang"""
SHORT_ARTICLE = """Xe khách lật trên đèo, 7 người bị thương
Sáng 5/4, một xe khách chở 30 hành khách bị lật khi xuống đèo, làm 7 người bị thương. Thu Trang (Tin Nhanh)"""


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


# --- the copies ---


def test_copy_names_are_distinct_letters_without_numbers() -> None:
    names = [bench_corpus.copy_name(i) for i in range(200)]
    assert len(set(names)) == 200
    number_words = {"một", "hai", "ba", "bốn", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "trăm", "nghìn"}
    for name in names:
        line = bench_corpus.copy_line(name)
        assert not re.search(r"\d", line)
        assert not _words(line) & number_words
        assert line.isascii()  # the same bytes in UTF-8 and CP1258
        article = extract_article(line)
        assert (article.figures, article.dates) == ([], [])
    assert bench_corpus.ADDED_NAME not in names[:10]


@pytest.mark.parametrize("text", [LONG_ARTICLE, SHORT_ARTICLE], ids=["long", "short"])
def test_a_copy_has_its_own_text_and_the_same_figures_dates_and_facts(text: str) -> None:
    for name in ("alpha", "kappa", bench_corpus.ADDED_NAME):
        copy = bench_corpus.with_copy_line(text, name)
        assert bench_corpus.copy_line(name) in copy
        assert bench_corpus.same_extraction(text, copy) == {
            "distinct_text": True,
            "facts": True,
            "figures": True,
            "dates": True,
        }
    copies = {bench_corpus.with_copy_line(text, bench_corpus.copy_name(i)) for i in range(10)}
    assert len(copies) == 10


def test_the_copy_line_keeps_away_from_the_title_lead_and_credit() -> None:
    copy = bench_corpus.with_copy_line(LONG_ARTICLE, "alpha")
    lines = copy.split("\n")
    assert lines[0] == LONG_ARTICLE.split("\n")[0]  # the title
    assert lines[1].startswith("(Tin Nhanh) - ")  # the lead, with its outlet
    assert lines[-1].endswith("Minh Khang")  # the credit


def test_split_for_copies_puts_the_line_where_with_copy_line_does() -> None:
    raw = LONG_ARTICLE.replace("\n", "\r\n").encode("utf-8")
    head, tail = bench_corpus.split_for_copies(raw)
    line = bench_corpus.copy_line("beta")
    assert (head + line.encode() + tail).decode("utf-8") == bench_corpus.with_copy_line(LONG_ARTICLE, "beta")
    assert bench_corpus.split_for_copies(b"\x00\x01binary\x00" * 10) is None  # rejected as it is


def test_scaled_corpus_is_built_once_with_distinct_copies(tmp_path: Path) -> None:
    source = tmp_path / "real" / "outlet"
    source.mkdir(parents=True)
    (source / "a.txt").write_text(LONG_ARTICLE, encoding="utf-8")
    (source / "b.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    (source / "c.txt").write_bytes(b"\x00\x01binary\x00" * 10)
    target, built = bench_corpus.scaled(tmp_path / "real", tmp_path / "x3", 3)
    assert not built["cached"]
    assert built["documents"] == 9 and built["unchanged_rejects"] == 1
    files = bench_corpus.documents(target)
    assert len(files) == 9
    assert {f.parent.parent.name for f in files} == {"copy-alpha", "copy-beta", "copy-gamma"}
    contents = [f.read_bytes() for f in files if f.name != "c.txt"]
    assert len(set(contents)) == 6
    assert built["checked"]["documents"] == 2
    assert built["checked"]["figures"] == built["checked"]["dates"] == built["checked"]["distinct_text"] == 2
    (target / "copy-alpha" / "outlet" / "a.txt").unlink()  # cached: not built again
    again, cached = bench_corpus.scaled(tmp_path / "real", tmp_path / "x3", 3)
    assert cached["cached"] and cached["documents"] == 9
    assert len(bench_corpus.documents(again)) == 8


def test_added_documents_are_new_to_every_copy(tmp_path: Path) -> None:
    source = tmp_path / "real"
    source.mkdir()
    for i, text in enumerate([LONG_ARTICLE, SHORT_ARTICLE, LONG_ARTICLE + " Ghi chép"]):
        (source / f"{i}.txt").write_text(text, encoding="utf-8")
    added = bench_corpus.added(source, tmp_path / "added", 2)
    files = bench_corpus.documents(added)
    assert [f.name for f in files] == ["0.txt", "1.txt"]
    assert all(bench_corpus.copy_line(bench_corpus.ADDED_NAME) in f.read_text(encoding="utf-8") for f in files)


# --- options ---


def test_scales_are_parsed_sorted_and_checked() -> None:
    assert parse_scales("1,10") == (1, 10)
    assert parse_scales("10, 1,1") == (1, 10)
    assert parse_scales("1") == (1,)
    for bad in ("0", "1,-2", "a", "", "1.5"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_scales(bad)


# --- verdicts, growth, comparisons, failed runs ---


def _run(seconds: float, peak: float, **more: object) -> dict:
    return {"ok": True, "seconds": seconds, "peak_rss_mib": peak, **more}


def _result(flow10: float = 540.0, rerun10: float = 12.0, added10: float = 25.0, written: int = 10) -> dict:
    added = _run(added10, 1900, written={"bytes_written": written, "bytes": 1000, "parts_written": 3, "parts": 90})
    return {
        "extraction": {"mb_per_s": 3.4},
        "scales": {
            "1": {
                "flow": _run(70.0, 1300),
                "rerun_unchanged": _run(8.0, 500),
                "rerun_added": _run(20.0, 900, written={"bytes_written": 10, "bytes": 100}),
            },
            "10": {
                "flow": _run(flow10, 2000),
                "rerun_unchanged": _run(rerun10, 700),
                "rerun_added": added,
                "dask": _run(900.0, 3000, tables={"same": True, "differences": []}),
            },
        },
    }


def test_issue13_targets_are_met_or_missed_by_the_measured_figures() -> None:
    from tools.bench import issue13_targets

    met = issue13_targets(_result())
    assert [verdict for _, verdict, _ in met] == [True] * len(met)
    missed = {name: verdict for name, verdict, _ in issue13_targets(_result(rerun10=15.5, added10=31, written=200))}
    assert not missed["10x rerun with nothing new <= 15 s"]
    assert not missed["10x rerun after adding 100 <= 30 s"]
    assert not missed["10x rerun after adding 100 writes <= 5% of the tables' bytes"]
    assert missed["10x whole flow <= 10 min wall"]


def test_a_run_that_did_not_finish_misses_with_its_reason_and_one_not_made_is_not_measured() -> None:
    from tools.bench import issue13_targets

    result = _result()
    result["scales"]["10"]["flow"] = {"ok": False, "reason": "stopped at the time limit of 900 s"}
    del result["scales"]["10"]["rerun_unchanged"]
    verdicts = {name: (verdict, note) for name, verdict, note in issue13_targets(result)}
    assert verdicts["10x whole flow <= 10 min wall"] == (False, "stopped at the time limit of 900 s")
    assert verdicts["10x rerun with nothing new <= 15 s"] == (None, "not measured")


def test_growth_divides_the_largest_scale_by_the_smallest() -> None:
    from tools.bench import growth

    grown = growth(_result())
    assert (grown["from"], grown["to"]) == ("1x", "10x")
    assert grown["whole flow wall (s)"]["ratio"] == pytest.approx(540 / 70)
    assert grown["bytes written per refresh"] == {"1x": 10.0, "10x": 10.0, "ratio": 1.0}
    unfinished = _result()
    unfinished["scales"]["10"]["flow"] = {"ok": False, "reason": "failed"}
    assert growth(unfinished)["whole flow wall (s)"]["ratio"] is None
    assert growth({"scales": {"1": {}}}) == {}


def _output(root: Path, keys: dict[str, list[str]]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for name, column in (("articles", "article_id"), ("figures", "figure_id"), ("metrics", "metric_id")):
        (root / name).mkdir(parents=True)
        pq.write_table(pa.table({column: keys.get(name, ["x"])}), root / name / "part-0.parquet")
    return root


def test_same_tables_compares_rows_and_key_sets_metrics_included(tmp_path: Path) -> None:
    from tools.bench import same_tables

    ours = _output(tmp_path / "ours", {"articles": ["a", "b"], "metrics": ["m1", "m2"]})
    same = _output(tmp_path / "same", {"articles": ["b", "a"], "metrics": ["m2", "m1"]})
    assert same_tables(ours, same) == {"same": True, "differences": []}
    other = _output(tmp_path / "other", {"articles": ["a", "b"], "metrics": ["m1", "m3"]})
    compared = same_tables(ours, other)
    assert not compared["same"] and compared["differences"] == ["metrics: 2 metric_ids, 2 on Dask, not the same set"]


def test_a_flow_run_that_fails_is_reported_with_its_status_not_raised(tmp_path: Path) -> None:
    from tools.bench import flow_run

    output = tmp_path / "out" / "tables"
    run = flow_run([tmp_path], output, label="bad", extra=["--batch-size", "0"], timeout=60, memory_limit_mib=4096)
    assert run["ok"] is False and run["status"] == 2  # a bad option: nothing was run
    assert run["reason"] == "the flow failed (status 2)"
    assert run["seconds"] < 60 and any("batch-size" in line for line in run["stderr_tail"])
