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
