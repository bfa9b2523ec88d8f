"""Integration tests of the `refresh` flow and the `solieu run` command.

Each flow run takes a few seconds (Great Expectations validates four tables), so the
runs are shared: one module-scoped run over a folder of good and bad documents feeds
most tests; the atomic-publish, rerun, CLI and shared-corpus tests add one run each.
The documents are invented for these tests (plus copies of the project's own
`data/raw/` samples).
"""

from __future__ import annotations

import ast
import logging
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import flows.refresh
import transform.batch
from flows.cli import main
from flows.refresh import RunSummary, ValidationFailed, refresh
from transform.publish import KEEP_VERSIONS, PARTITIONED, PARTS, versions_dir
from transform.schemas import PUBLISHED, TABLES

PROJECT = Path(__file__).parents[1]
RAW_SAMPLES = sorted((PROJECT / "data" / "raw").glob("*.txt"))
TIMESTAMP_COLUMNS = {"articles": ["extracted_at"], "rejects": ["seen_at"], "figures": [], "dates": []}
SORT_KEYS = {"articles": "article_id", "figures": "figure_id", "dates": "date_id", "rejects": "source_uri"}

# --- documents ------------------------------------------------------------------------

GOOD = (
    " date 2025-03-14 (ANTĐ) - Trong năm 2024, Công an tỉnh Bắc Vân đã điều tra, xử lý 1.250 vụ án, "
    "bắt giữ hơn 300 đối tượng. Lực lượng chức năng tiếp tục tăng cường tuần tra, kiểm soát "
    "trên các tuyến đường trọng điểm."
)
CP1258 = (
    " date 2025-02-10 (PLO) - Ngày 8/2, Phòng Cảnh sát giao thông Công an thành phố Vân Sơn đã "
    "phát hiện 42 trường hợp vi phạm nồng độ cồn trên các tuyến đường ven biển."
)
UTF16 = (
    " date 2025-01-05 Sáng 4/1, Công an huyện Tân Mỹ tiếp nhận 15 đơn tố giác về tội phạm "
    "lừa đảo qua mạng, tăng gấp đôi so với cùng kỳ."
)
NFD = (
    " date 2025-04-01 Đội Cảnh sát hình sự đã triệt phá 3 đường dây đánh bạc, thu giữ "
    "120 triệu đồng cùng nhiều tang vật liên quan."
)
NESTED = " date 2024-12-20 Tối 19/12, Công an phường Đông Hải đã kiểm tra 25 cơ sở kinh doanh karaoke."
BOM_CRLF = (
    " date 2025-06-06\r\nCông an xã tăng cường tuần tra ban đêm\r\n"
    "Tối 5/6, 12 cán bộ, chiến sĩ Công an xã đã tuần tra trên các tuyến đường liên thôn.\r\n"
)
ENGLISH = (
    "The provincial police said on Friday that officers had handled many traffic cases during the "
    "holiday week, and that patrols on the coastal roads would continue until the end of the month. "
) * 3
HIDDEN = " date 2025-01-01 Bài viết ẩn này không được đọc: 99 vụ việc."

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # the five Vietnamese tones, as combining marks


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes as legacy Vietnamese software writes them.

    CP1258 has â, ê, ô, ơ, ư, ă, đ and a few toned vowels precomposed; every other toned
    vowel is a base letter followed by a combining tone mark (NFC `ồ` -> `ô` + U+0300).
    """
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = "".join(c for c in parts if c in TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            out.append((base + tone).encode("cp1258"))
    return b"".join(out)


@dataclass
class Corpus:
    root: Path
    expected: dict[str, str | None]  # path relative to root -> reject reason, None for an article

    @property
    def articles(self) -> set[str]:
        return {name for name, reason in self.expected.items() if reason is None}


def write_corpus(root: Path) -> Corpus:
    """A folder of documents, good and bad, each with what the pipeline should make of it."""
    files: dict[str, bytes] = {
        "good.txt": GOOD.encode("utf-8"),
        "cp1258.txt": to_cp1258(CP1258),
        "utf16.txt": UTF16.encode("utf-16"),  # with a BOM
        "nfd.txt": unicodedata.normalize("NFD", NFD).encode("utf-8"),
        "bom_crlf.txt": BOM_CRLF.encode("utf-8-sig"),
        "sub/deeper/nested.txt": NESTED.encode("utf-8"),
        "empty.txt": b"",
        "blank.txt": b" \n\t\r\n ",
        "header_only.txt": b" date 2025-01-01\n",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "english.txt": ENGLISH.encode("utf-8"),
        # not documents: a hidden file and another suffix
        ".hidden.txt": HIDDEN.encode("utf-8"),
        "notes.md": GOOD.encode("utf-8"),
    }
    expected: dict[str, str | None] = {
        "good.txt": None,
        "cp1258.txt": None,
        "utf16.txt": None,
        "nfd.txt": None,
        "bom_crlf.txt": None,
        "sub/deeper/nested.txt": None,
        "empty.txt": "empty",
        "blank.txt": "empty",
        "header_only.txt": "empty",
        "binary.txt": "binary",
        "english.txt": "not_vietnamese",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "raw").mkdir()
    for sample in RAW_SAMPLES:
        shutil.copy(sample, root / "raw" / sample.name)
        expected[f"raw/{sample.name}"] = None
    return Corpus(root, expected)


# --- reading the published tables -----------------------------------------------------


def read_tables(output: Path) -> dict[str, pa.Table]:
    """The published tables without the partition column (it lives in folder names)."""
    return {name: pq.read_table(output / name).select(schema.names) for name, schema in TABLES.items()}


def relative(uri: str, root: Path) -> str:
    return Path(uri).relative_to(root.resolve()).as_posix()


def comparable(table: pa.Table, name: str) -> list[dict]:
    """Rows without the run's timestamps, in key order: what a rerun must reproduce."""
    table = table.drop_columns(TIMESTAMP_COLUMNS[name])
    return table.sort_by(SORT_KEYS[name]).to_pylist()


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under `folder`: content, inode and mtime (a replaced file gets a new inode)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def leftovers(output: Path) -> list[str]:
    """What lies beside the published tables but is not a published version: staging folders
    of failed runs, temporary links, or more old versions than publishing keeps."""
    versions = sorted(p.name for p in versions_dir(output).iterdir())
    current = output.resolve().name
    stray = [p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}-link-")]
    extra = [] if current in versions and len(versions) <= KEEP_VERSIONS else versions
    return stray + extra


# --- the shared run -------------------------------------------------------------------


@dataclass
class Run:
    corpus: Corpus
    output: Path
    validation: Path
    summary: RunSummary
    tables: dict[str, pa.Table]
    frames: dict[str, pd.DataFrame]

    def article(self, name: str) -> dict:
        rows = [r for r in self.tables["articles"].to_pylist() if relative(r["source_uri"], self.corpus.root) == name]
        assert len(rows) == 1, f"{name}: {len(rows)} article rows"
        return rows[0]

    def rows_of(self, table: str, name: str) -> list[dict]:
        aid = self.article(name)["article_id"]
        return [r for r in self.tables[table].to_pylist() if r["article_id"] == aid]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return write_corpus(tmp_path_factory.mktemp("documents"))


@pytest.fixture(scope="module")
def first_run(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Run:
    base = tmp_path_factory.mktemp("first-run")
    output, validation = base / "tables", base / "validation"
    summary = refresh(inputs=[str(corpus.root)], output=str(output), validation_dir=str(validation))
    return Run(
        corpus,
        output,
        validation,
        summary,
        read_tables(output),
        {name: pd.read_parquet(output / name) for name in TABLES},
    )


# --- 1. good and bad documents ----------------------------------------------------------


@pytest.mark.flow
def test_summary_counts(first_run: Run) -> None:
    summary, corpus = first_run.summary, first_run.corpus
    assert summary.documents == len(corpus.expected)  # hidden files and .md are not documents
    rejected: dict[str, int] = {}
    for reason in corpus.expected.values():
        if reason:
            rejected[reason] = rejected.get(reason, 0) + 1
    details = {
        relative(r["source_uri"], corpus.root): f"{r['reason']}: {r['detail']}"
        for r in first_run.tables["rejects"].to_pylist()
    }
    assert summary.rejected == rejected == {"empty": 3, "binary": 1, "not_vietnamese": 1}, details
    assert summary.rows == {name: len(first_run.frames[name]) for name in TABLES} | {
        "metrics": pq.read_table(first_run.output / "metrics").num_rows
    }
    assert summary.rows["metrics"] >= 1
    assert summary.report is not None and Path(summary.report).is_file()  # beside the tables
    assert Path(summary.report) == first_run.output.absolute().parent / "report" / "index.html"
    assert summary.rows["articles"] == len(corpus.articles)
    assert summary.published is True
    assert summary.problems == []
    assert Path(summary.output) == first_run.output.absolute()
    assert summary.validation_docs is not None
    assert Path(summary.validation_docs) == first_run.validation.resolve() / "index.html"
    assert Path(summary.validation_docs).is_file()
    assert leftovers(first_run.output) == []


@pytest.mark.flow
def test_every_document_is_an_article_or_a_reject(first_run: Run) -> None:
    root = first_run.corpus.root
    articles = [relative(u, root) for u in first_run.frames["articles"]["source_uri"]]
    frame = first_run.frames["rejects"]
    rejects = {relative(u, root): reason for u, reason in zip(frame["source_uri"], frame["reason"], strict=True)}
    assert len(articles) == len(set(articles)), "a document yielded two article rows"
    assert len(rejects) == len(frame), "a document was rejected twice"
    assert sorted(articles) == sorted(first_run.corpus.articles)
    assert rejects == {name: reason for name, reason in first_run.corpus.expected.items() if reason}
    assert not set(articles) & set(rejects)
    details = dict(zip(frame["source_uri"], frame["detail"], strict=True))
    assert all(details.values()), f"a reject without detail: {details}"


@pytest.mark.flow
@pytest.mark.parametrize(
    ("name", "source", "words"),
    [
        ("cp1258.txt", CP1258, ["Phòng Cảnh sát giao thông", "42 trường hợp vi phạm nồng độ cồn", "ven biển"]),
        ("utf16.txt", UTF16, ["Công an huyện Tân Mỹ", "15 đơn tố giác", "lừa đảo qua mạng"]),
        ("nfd.txt", NFD, ["Đội Cảnh sát hình sự", "triệt phá 3 đường dây đánh bạc", "120 triệu đồng"]),
        ("bom_crlf.txt", BOM_CRLF, ["Công an xã tăng cường tuần tra ban đêm", "12 cán bộ, chiến sĩ"]),
    ],
)
def test_other_encodings_become_nfc_text(first_run: Run, name: str, source: str, words: list[str]) -> None:
    raw = (first_run.corpus.root / name).read_bytes()
    if name == "cp1258.txt":  # the test input really is the legacy form, combining tones and all
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert any(c in TONE_MARKS for c in raw.decode("cp1258"))
    if name == "nfd.txt":
        assert not unicodedata.is_normalized("NFC", raw.decode("utf-8"))
    text = first_run.article(name)["text"]
    assert unicodedata.is_normalized("NFC", text)
    assert not {"\r", "\ufeff", "\x00"} & set(text)
    for word in words:
        assert word in text
    # the stored text is the document minus its ` date …` header
    body = unicodedata.normalize("NFC", source).replace("\r\n", "\n").strip()
    assert text == re.sub(r"^date \S+\s*", "", body)


@pytest.mark.flow
def test_all_text_columns_are_nfc(first_run: Run) -> None:
    for name, column in [
        ("articles", "text"),
        ("articles", "title"),
        ("figures", "text"),
        ("figures", "item"),
        ("figures", "sentence"),
        ("dates", "text"),
    ]:
        for value in first_run.tables[name].column(column).to_pylist():
            assert value is None or unicodedata.is_normalized("NFC", value), f"{name}.{column}: {value!r}"


@pytest.mark.flow
def test_offsets_point_into_article_text(first_run: Run) -> None:
    texts = dict(zip(first_run.frames["articles"]["article_id"], first_run.frames["articles"]["text"], strict=True))
    for table in ("figures", "dates"):
        rows = first_run.tables[table].to_pylist()
        assert rows, f"no {table} at all"
        for row in rows:
            article = texts[row["article_id"]]
            assert 0 <= row["char_start"] < row["char_end"] <= len(article), row
            assert article[row["char_start"] : row["char_end"]] == row["text"], row
    for row in first_run.tables["figures"].to_pylist():
        assert row["text"] in row["sentence"], row
        assert row["sentence"] in texts[row["article_id"]], row


@pytest.mark.flow
def test_extracted_values(first_run: Run) -> None:
    good = first_run.article("good.txt")
    assert good["outlet"] == "ANTĐ"
    assert good["published_date"] == date(2025, 3, 14)
    assert good["published_precision"] == "day"
    assert good["published_year"] == 2025
    assert good["n_chars"] == len(good["text"])
    assert good["text"].startswith("(ANTĐ) - Trong năm 2024")
    assert "date 2025-03-14" not in good["text"]

    figures = {f["value"]: f for f in first_run.rows_of("figures", "good.txt")}
    cases = figures[1250.0]
    assert (cases["text"], cases["unit"], cases["metric"]) == ("1.250 vụ án", "vụ", "cases")
    assert cases["qualifier"] == "exact"
    assert (cases["period_start"], cases["period_end"]) == (date(2024, 1, 1), date(2024, 12, 31))
    suspects = figures[300.0]
    assert (suspects["qualifier"], suspects["metric"], suspects["item"]) == ("over", "suspects", "đối tượng")
    assert (suspects["period_start"], suspects["period_end"]) == (date(2024, 1, 1), date(2024, 12, 31))

    dates = first_run.rows_of("dates", "good.txt")
    year = [d for d in dates if d["text"] == "năm 2024"]
    assert len(year) == 1
    assert (year[0]["start_date"], year[0]["end_date"], year[0]["granularity"], year[0]["year_inferred"]) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
        "year",
        False,
    )
    assert not [d for d in dates if d["start_date"] == date(2025, 3, 14)], "the header is metadata, not a date"

    # the other encodings were extracted, not just decoded
    cp = first_run.article("cp1258.txt")
    assert (cp["outlet"], cp["published_date"]) == ("PLO", date(2025, 2, 10))
    [violations] = [f for f in first_run.rows_of("figures", "cp1258.txt") if f["value"] == 42.0]
    assert violations["metric"] == "violations"
    [day] = [d for d in first_run.rows_of("dates", "cp1258.txt") if d["text"] == "Ngày 8/2"]
    assert (day["start_date"], day["granularity"], day["year_inferred"]) == (date(2025, 2, 8), "day", True)
    [money] = [f for f in first_run.rows_of("figures", "nfd.txt") if f["metric"] == "money"]
    assert (money["value"], money["unit"]) == (120_000_000.0, "đồng")
    bom = first_run.article("bom_crlf.txt")
    assert bom["title"] == "Công an xã tăng cường tuần tra ban đêm"
    assert bom["published_date"] == date(2025, 6, 6)
    [personnel] = [f for f in first_run.rows_of("figures", "bom_crlf.txt") if f["value"] == 12.0]
    assert personnel["metric"] == "personnel"
    assert first_run.article("utf16.txt")["published_date"] == date(2025, 1, 5)
    assert first_run.article("sub/deeper/nested.txt")["published_date"] == date(2024, 12, 20)

    # a sample from data/raw: ` date YYYY` header, outlet lead, `Trong năm 2024` period
    report = first_run.article("raw/003_tong-ket-nam-2024.txt")
    assert report["outlet"] == "An Ninh 24h"
    # header ` date 2024`, refined by the lead `Sáng 18/12` (evidence order of EXTRACTION.md)
    assert (report["published_date"], report["published_precision"]) == (date(2024, 12, 18), "day")
    [crimes] = [f for f in first_run.rows_of("figures", "raw/003_tong-ket-nam-2024.txt") if f["value"] == 1284.0]
    assert (crimes["unit"], crimes["metric"]) == ("vụ", "cases")
    assert (crimes["period_start"], crimes["period_end"]) == (date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.flow
def test_parquet_schemas_match_the_contract(first_run: Run) -> None:
    for name, schema in TABLES.items():
        folder = first_run.output / name
        files = sorted(folder.rglob("*.parquet"))
        if name in PARTITIONED:  # figures/published_year=2025/part-<digest>.parquet
            years = {f.parent.name for f in files}
            assert years and all(re.fullmatch(r"published_year=\d{1,4}", y) for y in years), years
        else:  # one part per extraction time, named by the digest of its rows
            assert all(re.fullmatch(r"part-[0-9a-f]{24}\.parquet", f.relative_to(folder).as_posix()) for f in files)
        for file in files:
            written = pq.read_schema(file)
            assert written.equals(schema, check_metadata=False), f"{name}:\n{written}\n!=\n{schema}"
        assert first_run.tables[name].schema.equals(schema, check_metadata=False)
        partition = ["published_year"] if name in PARTITIONED else []
        assert list(first_run.frames[name].columns) == schema.names + partition
    articles = first_run.frames["articles"]
    assert str(articles["extracted_at"].dt.tz) == "UTC"
    assert pd.api.types.is_integer_dtype(first_run.frames["figures"]["char_start"])
    assert pd.api.types.is_float_dtype(first_run.frames["figures"]["value"])
    assert pd.api.types.is_bool_dtype(first_run.frames["dates"]["year_inferred"])


# --- 2. a failed validation publishes nothing ---------------------------------------------


@pytest.mark.flow
def test_failed_validation_leaves_published_tables_untouched(
    first_run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = first_run.output
    before = snapshot(output)
    versions_before = sorted(p.name for p in versions_dir(output).iterdir())
    assert {path.split("/")[0] for path in before} == {*PUBLISHED, PARTS}
    real = transform.batch.process_batch
    corrupted: list[int] = []

    def shift_figures(refs, taxonomy, *, extracted_at):
        tables = real(refs, taxonomy, extracted_at=extracted_at)
        figures = tables["figures"]
        index = figures.schema.get_field_index("char_start")
        tables["figures"] = figures.set_column(
            index, figures.schema.field(index), pc.add(figures.column("char_start"), 1)
        )
        corrupted.append(figures.num_rows)
        return tables

    monkeypatch.setattr(transform.batch, "process_batch", shift_figures)
    validation = tmp_path / "validation"
    # a new document, so that the run extracts something (known documents are reused)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "moi.txt").write_text(
        " date 2025-04-02 (ANTĐ) - Công an quận đã bắt giữ 7 đối tượng và thu 2 xe máy.", encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as failure:
        refresh(inputs=[str(first_run.corpus.root), str(extra)], output=str(output), validation_dir=str(validation))

    assert sum(corrupted) > 0, "the corruption touched no figure rows"
    message = str(failure.value)
    assert message.startswith("1 expectation(s) failed; nothing was published"), message
    assert "figures: expect_column_values_to_be_in_set(span_matches_article_text)" in message
    assert snapshot(output) == before, "published tables changed after a failed validation"
    assert leftovers(output) == []
    assert sorted(p.name for p in versions_dir(output).iterdir()) == versions_before, "a failed run left its staging"
    assert (validation / "index.html").is_file()


# --- 3. the command line -------------------------------------------------------------------


@pytest.mark.flow
def test_cli_run(
    corpus: Corpus,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    prefect_harness: None,
) -> None:
    output = tmp_path / "tables"
    missing = tmp_path / "no-such-folder"
    with caplog.at_level(logging.WARNING):
        code = main(["run", "--input", str(corpus.root), str(missing), "--output", str(output)])
    assert code == 0
    # the missing input is reported (a Prefect run-log warning) and the others are still read
    assert any(str(missing) in r.getMessage() and "no such file" in r.getMessage() for r in caplog.records)
    assert len(pq.read_table(output / "articles")) == len(corpus.articles)
    assert (tmp_path / "validation" / "index.html").is_file()  # default: OUTPUT/../validation

    printed = capsys.readouterr().out
    for words in ("documents read", "figures", "validation", "pd.read_parquet"):
        assert words in printed, f"{words!r} not printed to sys.stdout: {printed!r}"
    assert re.search(
        rf"documents read:\s+{len(corpus.expected)} \(extracted {len(corpus.expected)}, reused 0\)\n", printed
    ), printed
    assert re.search(r"rejected:\s+5 \(binary 1, empty 3, not_vietnamese 1\)", printed), printed
    assert re.search(r"validation:\s+passed", printed), printed
    # the printed snippet loads the tables it names
    [figures_path] = re.findall(r"figures = pd\.read_parquet\((.+)\)", printed)
    count = int(re.search(r"figures:\s+(\d+)", printed).group(1))
    assert len(pd.read_parquet(ast.literal_eval(figures_path))) == count > 0


def test_cli_reports_validation_failure(
    corpus: Corpus,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No flow run: `refresh` is replaced by one that fails validation."""

    def failing_refresh(**_: object) -> RunSummary:
        raise ValidationFailed("1 expectation(s) failed; nothing was published:\n  figures: x: y")

    failing_refresh.with_options = lambda **_: failing_refresh  # type: ignore[attr-defined]

    monkeypatch.setattr(flows.refresh, "refresh", failing_refresh)
    code = main(["run", "--input", str(corpus.root), "--output", str(tmp_path / "tables")])
    captured = capfd.readouterr()
    assert code == 1
    assert "validation failed, nothing published" in captured.err
    assert "figures: x: y" in captured.err


# --- 4. reruns -------------------------------------------------------------------------------


@pytest.mark.flow
def test_rerun_with_nothing_new_keeps_the_published_tables(first_run: Run, tmp_path: Path) -> None:
    before = snapshot(first_run.output)
    version = first_run.output.resolve()
    summary = refresh(
        inputs=[str(first_run.corpus.root)], output=str(first_run.output), validation_dir=str(tmp_path / "validation")
    )
    assert summary.unchanged and summary.extracted == 0
    assert summary.reused == len(first_run.corpus.expected)
    assert summary.rows == first_run.summary.rows
    assert summary.rejected == first_run.summary.rejected
    assert first_run.output.resolve() == version, "republished although nothing changed"
    assert snapshot(first_run.output) == before
    assert leftovers(first_run.output) == []


@pytest.mark.flow
def test_added_documents_are_the_only_ones_extracted(first_run: Run, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(first_run.corpus.root, inputs)
    (inputs / "them.txt").write_text(
        " date 2025-05-20 (ANTĐ) - Trong tháng 4/2025, Công an tỉnh đã xử lý 215 vụ vi phạm giao thông.",
        encoding="utf-8",
    )
    output = tmp_path / "tables"
    shutil.copytree(first_run.output.resolve(), tmp_path / "seed")  # start from the first run's tables
    output.symlink_to(tmp_path / "seed", target_is_directory=True)
    summary = refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "validation"))
    assert (summary.extracted, summary.reused) == (1, len(first_run.corpus.expected))
    after = read_tables(output)
    assert after["articles"].num_rows == first_run.tables["articles"].num_rows + 1
    old_ids = set(first_run.tables["articles"].column("article_id").to_pylist())
    assert old_ids < set(after["articles"].column("article_id").to_pylist())
    assert 215 in after["figures"].column("value").to_pylist()
    # every source_uri points into the new input folder
    assert all(uri.startswith(str(inputs.resolve())) for uri in after["articles"].column("source_uri").to_pylist())


# --- real articles from ../shared -------------------------------------------------------------


@pytest.mark.flow
def test_shared_corpus_every_document_accounted_for(shared: Path, tmp_path: Path, prefect_harness: None) -> None:
    folders = [shared / "corpus" / "seeds", shared / "corpus" / "dev"]
    documents = {str(p.resolve()) for folder in folders for p in folder.rglob("*.txt")}
    if not documents:
        pytest.skip(f"no .txt documents under {shared / 'corpus'}")
    summary = refresh(
        inputs=[str(f) for f in folders], output=str(tmp_path / "tables"), validation_dir=str(tmp_path / "validation")
    )
    assert summary.published
    assert summary.documents == len(documents)
    tables = read_tables(tmp_path / "tables")
    seen = tables["articles"].column("source_uri").to_pylist() + tables["rejects"].column("source_uri").to_pylist()
    assert sorted(seen) == sorted(documents)
    texts = dict(zip(*(tables["articles"].column(c).to_pylist() for c in ("article_id", "text")), strict=True))
    for name in ("figures", "dates"):
        for row in tables[name].to_pylist():
            assert texts[row["article_id"]][row["char_start"] : row["char_end"]] == row["text"], row


# --- 5. duplicates and the publishing layout ---------------------------------------------


def test_duplicate_texts_become_one_article_and_a_duplicate_reject(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from ingest.local import discover
    from transform.batch import process_batch
    from transform.tables import concat_tables
    from transform.taxonomy import load_taxonomy

    text = " date 2025-03-14 (ANTĐ) - Công an tỉnh đã bắt giữ 12 đối tượng đánh bạc."
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    refs, _ = discover([tmp_path])
    taxonomy, now = load_taxonomy(), datetime.now(UTC)
    # b is a duplicate within a batch, c across batches
    tables = concat_tables(
        [process_batch(refs[:2], taxonomy, extracted_at=now), process_batch(refs[2:], taxonomy, extracted_at=now)]
    )
    assert tables["articles"].num_rows == 1
    assert tables["figures"].num_rows == 1
    rejects = tables["rejects"].to_pylist()
    assert sorted((Path(r["source_uri"]).name, r["reason"]) for r in rejects) == [
        ("b.txt", "duplicate"),
        ("c.txt", "duplicate"),
    ]
    assert all(r["detail"].endswith("a.txt") for r in rejects)


def test_publishing_swaps_a_link_to_a_complete_version(tmp_path: Path) -> None:
    from transform.publish import publish_staged, stage_tables
    from transform.schemas import TABLES as SCHEMAS

    output = tmp_path / "tables"
    output.mkdir()  # a plain folder from an older layout is adopted
    (output / "old.txt").write_text("x")
    empty = {name: schema.empty_table() for name, schema in SCHEMAS.items()}
    for _ in range(3):
        publish_staged(stage_tables(empty, output), output)
        assert output.is_symlink()
        assert sorted(p.name for p in output.iterdir() if p.is_dir()) == sorted(SCHEMAS)
        assert len(list(versions_dir(output).iterdir())) <= KEEP_VERSIONS
    assert pd.read_parquet(output / "figures").empty


def test_input_given_twice_reads_both() -> None:
    """`--input a --input b` is `--input a b`: the second flag does not drop the first
    (a run would then publish tables without the first input's documents)."""
    from flows.cli import _parameters, _parser

    args = _parser().parse_args(["run", "--input", "a", "b", "--input", "c", "--output", "out"])
    assert _parameters(args)["inputs"] == ["a", "b", "c"]
