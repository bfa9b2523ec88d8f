"""Adversarial local inputs (issue 10): discovery, reading and decoding never cost the run.

Every input here is built by the test in tmp_path. Each must become rows or a `rejects`
row with the right reason, in bounded time and memory, and never raise out of the batch.
"""

from __future__ import annotations

import codecs
import os
import threading
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import transform.batch
from extract.decode import MAX_BYTES, Rejection, decode_document
from extract.pipeline import extract_article
from ingest.local import MAX_DEPTH, DocumentRef, content_hashes, discover, local_path, read_bytes
from transform.batch import process_batch
from transform.schemas import REJECT_REASONS
from transform.taxonomy import Taxonomy, load_taxonomy

ARTICLE = (
    " date 2025-03-14 (ANTĐ) - Trong năm 2024, Công an tỉnh Bắc Vân đã điều tra, xử lý 1.250 vụ án, "
    "bắt giữ hơn 300 đối tượng trên các tuyến đường trọng điểm."
)
SECOND_ARTICLE = " date 2025-01-05 Sáng 4/1, Công an huyện Tân Mỹ tiếp nhận 15 đơn tố giác về tội phạm lừa đảo."
NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """`work()`'s result, failing (not hanging) when it takes longer than `seconds`: a
    blocked open of a FIFO would otherwise stop the whole test session."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (blocked?)"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def reasons_by_name(tables: dict[str, pa.Table], root: Path) -> dict[str, str]:
    rows = tables["rejects"].to_pylist()
    return {os.path.relpath(r["source_uri"], root): r["reason"] for r in rows}


def remove_nested(top: Path) -> None:
    """Remove a chain of folders nested deeper than `shutil.rmtree` can recurse (pytest's
    clean-up of old temporary folders uses it): bottom folder first, without recursion."""
    chain = [str(top)]
    while True:
        below = [entry.path for entry in os.scandir(chain[-1]) if entry.is_dir(follow_symlinks=False)]
        if not below:
            break
        chain.append(below[0])
    for folder in reversed(chain):
        for entry in os.scandir(folder):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        os.rmdir(folder)


def article_names(tables: dict[str, pa.Table], root: Path) -> list[str]:
    return sorted(os.path.relpath(uri, root) for uri in tables["articles"].column("source_uri").to_pylist())


# --- 1. discovery -----------------------------------------------------------------------


def test_links_fifos_and_devices_become_rejects_without_being_opened(tmp_path: Path, taxonomy: Taxonomy) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")  # ELOOP
    (tmp_path / "round-a.txt").symlink_to(tmp_path / "round-b.txt")
    (tmp_path / "round-b.txt").symlink_to(tmp_path / "round-a.txt")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "gone-folder").symlink_to(tmp_path / "missing-folder")  # no suffix: it may have been a folder
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "urandom.txt").symlink_to("/dev/urandom")
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "notes.md").symlink_to(tmp_path / "missing.md")  # not a document's name: ignored

    refs, problems = within(30, lambda: discover([tmp_path]))
    tables = within(60, lambda: process_batch(refs, taxonomy, extracted_at=NOW))

    assert problems == []
    assert article_names(tables, tmp_path) == ["good.txt"]
    assert reasons_by_name(tables, tmp_path) == {
        "self.txt": "broken_link",
        "round-a.txt": "broken_link",
        "round-b.txt": "broken_link",
        "gone.txt": "broken_link",
        "gone-folder": "broken_link",
        "zero.txt": "not_a_file",
        "urandom.txt": "not_a_file",
        "fifo.txt": "not_a_file",
    }
    details = {os.path.basename(r["source_uri"]): r["detail"] for r in tables["rejects"].to_pylist()}
    assert "loop" in details["self.txt"]
    assert "missing target" in details["gone.txt"]
    assert details["fifo.txt"] == "a FIFO"
    assert details["zero.txt"] == "link to /dev/zero, a character device"
    assert set(tables["rejects"].column("reason").to_pylist()) <= set(REJECT_REASONS)


def test_a_fifo_given_as_an_input_is_not_opened(tmp_path: Path, taxonomy: Taxonomy) -> None:
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    refs, problems = within(30, lambda: discover([fifo]))
    tables = within(30, lambda: process_batch(refs, taxonomy, extracted_at=NOW))
    assert problems == []
    assert tables["rejects"].column("reason").to_pylist() == ["not_a_file"]


def test_a_fifo_swapped_in_after_discovery_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    (ref,), _ = discover([tmp_path])
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(Rejection) as caught:
        within(30, lambda: read_bytes(ref))
    assert caught.value.reason == "not_a_file"
    assert within(30, lambda: content_hashes([ref])) == [f"not_a_file:{ref.uri}"]


def test_a_folder_nested_1100_deep_is_cut_at_the_depth_limit(tmp_path: Path, taxonomy: Taxonomy) -> None:
    # built with folder descriptors: the path of the deepest folder is longer than a
    # relative mkdir loop would like, and the test must not depend on the working directory
    shallow_depth, total_depth = 5, 1100
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        for depth in range(1, total_depth + 1):
            os.mkdir("d", dir_fd=folder)
            inner = os.open("d", os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
            if depth in (shallow_depth, total_depth):
                name = "shallow.txt" if depth == shallow_depth else "bottom.txt"
                text = ARTICLE if depth == shallow_depth else SECOND_ARTICLE
                handle = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=folder)
                os.write(handle, text.encode("utf-8"))
                os.close(handle)
    finally:
        os.close(folder)

    try:
        refs, problems = within(60, lambda: discover([tmp_path]))
        tables = process_batch(refs, taxonomy, extracted_at=NOW)
    finally:
        remove_nested(tmp_path / "d")

    assert problems == []
    assert article_names(tables, tmp_path) == ["/".join(["d"] * shallow_depth + ["shallow.txt"])]
    rejects = tables["rejects"].to_pylist()
    assert [r["reason"] for r in rejects] == ["too_deep"]
    assert os.path.relpath(rejects[0]["source_uri"], tmp_path) == "/".join(["d"] * (MAX_DEPTH + 1))
    assert str(MAX_DEPTH) in rejects[0]["detail"]


def test_a_folder_named_like_a_document_is_walked_as_a_folder(tmp_path: Path, taxonomy: Taxonomy) -> None:
    folder = tmp_path / "x.txt"
    folder.mkdir()
    (folder / "inside.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(folder)  # a link to it is a folder too (and walked once)

    refs, problems = discover([tmp_path])
    tables = process_batch(refs, taxonomy, extracted_at=NOW)

    assert problems == []
    assert [os.path.relpath(r.uri, tmp_path) for r in refs] == ["x.txt/inside.txt"]
    assert article_names(tables, tmp_path) == ["x.txt/inside.txt"]
    assert tables["rejects"].num_rows == 0


def test_a_folder_that_cannot_be_listed_is_a_reject(tmp_path: Path, taxonomy: Taxonomy) -> None:
    if os.geteuid() == 0:
        pytest.skip("root lists any folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(ARTICLE, encoding="utf-8")
    locked.chmod(0)
    try:
        refs, _ = discover([tmp_path])
        tables = process_batch(refs, taxonomy, extracted_at=NOW)
    finally:
        locked.chmod(0o755)
    assert reasons_by_name(tables, tmp_path) == {"locked": "unreadable"}


# --- 2. reading: bounded memory ---------------------------------------------------------


def test_a_4_gib_sparse_file_is_too_large_without_being_read(tmp_path: Path, taxonomy: Taxonomy) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(4 << 30)  # sparse: 4 GiB long, no disk used
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")

    tracemalloc.start()
    try:
        refs, _ = discover([tmp_path])
        hashes = content_hashes(refs)
        tables = process_batch(refs, taxonomy, extracted_at=NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 64 << 20, f"peak {peak / 2**20:.0f} MiB of Python memory for a 4 GiB file"
    huge_ref = next(r for r in refs if r.uri.endswith("huge.txt"))
    assert hashes[refs.index(huge_ref)] == f"too_large:{huge_ref.uri}"  # not hashed: it is not read
    rejects = tables["rejects"].to_pylist()
    assert [(Path(r["source_uri"]).name, r["reason"]) for r in rejects] == [("huge.txt", "too_large")]
    assert rejects[0]["detail"] == f"{4 << 30} bytes, limit {MAX_BYTES}"
    assert article_names(tables, tmp_path) == ["good.txt"]


@pytest.mark.parametrize(("extra", "rejected"), [(0, False), (1, True)], ids=["at the limit", "one byte over"])
def test_the_size_limit_is_exact(tmp_path: Path, extra: int, rejected: bool) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(b"a" * (1000 + extra))
    (ref,), _ = discover([path])
    if rejected:
        with pytest.raises(Rejection) as caught:
            read_bytes(ref, max_bytes=1000)
        assert caught.value.reason == "too_large"
    else:
        assert read_bytes(ref, max_bytes=1000) == b"a" * 1000


# --- 3. file names that are not UTF-8 ---------------------------------------------------


def test_a_file_name_that_is_not_utf8_keeps_its_document(tmp_path: Path, taxonomy: Taxonomy) -> None:
    folder = os.fsencode(tmp_path)
    try:
        with open(folder + b"/caf\xe9.txt", "wb") as handle:
            handle.write(ARTICLE.encode("utf-8"))
    except OSError as error:  # some file systems (and macOS) refuse such names
        pytest.skip(f"the file system refuses a non-UTF-8 name: {error}")
    (tmp_path / "caf%E9.txt").write_text(SECOND_ARTICLE, encoding="utf-8")  # looks like the escape: still distinct

    refs, _ = discover([tmp_path])
    tables = process_batch(refs, taxonomy, extracted_at=NOW)

    uris = sorted(tables["articles"].column("source_uri").to_pylist())
    assert uris == sorted([f"{tmp_path}/caf%E9.txt", f"file://{tmp_path}/caf%E9.txt"])
    assert all(uri.encode("utf-8") for uri in uris)  # valid strings: Arrow took them
    odd = next(r for r in refs if r.uri.startswith("file://"))
    assert local_path(odd) == folder + b"/caf\xe9.txt"  # still read from the real path
    assert discover([tmp_path])[0] == refs  # stable from run to run
    assert tables["rejects"].num_rows == 0


def test_a_reject_of_a_non_utf8_name_is_storable(tmp_path: Path, taxonomy: Taxonomy) -> None:
    os.mkfifo(os.fsencode(tmp_path) + b"/pipe\xff.txt")
    refs, _ = discover([tmp_path])
    tables = within(30, lambda: process_batch(refs, taxonomy, extracted_at=NOW))
    assert tables["rejects"].to_pylist()[0]["source_uri"] == f"file://{tmp_path}/pipe%FF.txt"


# --- 4. decoding ------------------------------------------------------------------------


def utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


@pytest.mark.parametrize(
    ("raw", "outcome"),
    [
        (ARTICLE.encode("utf-16") + b"\x00", ARTICLE),  # odd length: the cut last byte is dropped
        (codecs.BOM_UTF16_LE + utf16(ARTICLE) + b"\x00\xd8", ARTICLE),  # a high surrogate cut at the end
        (codecs.BOM_UTF16_LE + utf16("Công an ") + b"\x00\xd8" + utf16("bắt giữ"), "not_utf8"),
        (codecs.BOM_UTF16_LE + utf16("Công an ") + b"\x00\xdc" + utf16("bắt giữ"), "not_utf8"),
        (codecs.BOM_UTF8 + "Công an ".encode() + b"\xff\xfe" + " bắt giữ".encode(), "not_utf8"),
        (ARTICLE.encode("utf-8") + "ữ".encode()[:2], ARTICLE),  # the last character cut: the rest is kept
        (codecs.BOM_UTF8 + ARTICLE.encode("utf-8") + "đ".encode()[:1], ARTICLE),
    ],
    ids=[
        "utf-16 odd length",
        "utf-16 cut surrogate",
        "utf-16 lone high surrogate",
        "utf-16 lone low surrogate",
        "utf-8 bom invalid",
        "utf-8 cut character",
        "utf-8 bom cut character",
    ],
)
def test_broken_encodings_are_a_reason_or_the_text_that_decodes(raw: bytes, outcome: str) -> None:
    if outcome == "not_utf8":
        with pytest.raises(Rejection) as caught:
            decode_document(raw)
        assert caught.value.reason == "not_utf8"
        assert caught.value.detail
    else:
        assert decode_document(raw)[0] == outcome


def test_a_bom_rejection_names_the_byte_in_the_file() -> None:
    raw = codecs.BOM_UTF8 + "Công an ".encode() + b"\xff" + " bắt giữ".encode()
    with pytest.raises(Rejection) as caught:
        decode_document(raw)
    assert caught.value.detail == "has a utf-8 BOM but invalid start byte at byte 12"


def test_broken_encodings_never_escape_the_batch(tmp_path: Path, taxonomy: Taxonomy) -> None:
    files = {
        "odd-utf16.txt": ARTICLE.encode("utf-16") + b"\x00",
        "lone-surrogate.txt": codecs.BOM_UTF16_LE + utf16("Công ") + b"\x00\xdc" + utf16("an"),
        "bom-invalid.txt": codecs.BOM_UTF8 + b"\xc3\x28 C\xc3\xb4ng an",
        "cut.txt": SECOND_ARTICLE.encode("utf-8") + "ữ".encode()[:2],
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    refs, _ = discover([tmp_path])
    tables = process_batch(refs, taxonomy, extracted_at=NOW)
    assert article_names(tables, tmp_path) == ["cut.txt", "odd-utf16.txt"]
    assert reasons_by_name(tables, tmp_path) == {"lone-surrogate.txt": "not_utf8", "bom-invalid.txt": "not_utf8"}


def test_an_unexpected_error_for_one_document_is_an_extract_error_row(
    tmp_path: Path, taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "bad.txt").write_text(SECOND_ARTICLE, encoding="utf-8")
    decode = transform.batch.decode_document

    def failing_decode(raw: bytes, **options: Any) -> tuple[str, str]:
        if raw == SECOND_ARTICLE.encode("utf-8"):
            raise UnicodeDecodeError("utf-8", raw, 0, 1, "a decoder bug")  # a ValueError, as in issue 10
        return decode(raw, **options)

    monkeypatch.setattr(transform.batch, "decode_document", failing_decode)
    refs, _ = discover([tmp_path])
    tables = process_batch(refs, taxonomy, extracted_at=NOW)
    assert article_names(tables, tmp_path) == ["good.txt"]
    rejects = tables["rejects"].to_pylist()
    assert [(Path(r["source_uri"]).name, r["reason"]) for r in rejects] == [("bad.txt", "extract_error")]
    assert "UnicodeDecodeError" in rejects[0]["detail"]
    assert rejects[0]["content_sha256"]  # the bytes were read: a rerun knows them


def test_a_row_arrow_cannot_take_costs_only_its_document(
    tmp_path: Path, taxonomy: Taxonomy, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "bad.txt").write_text(SECOND_ARTICLE, encoding="utf-8")
    extract = transform.batch.extract_article

    def broken_extract(text: str, **options: Any) -> Any:
        article = extract(text, **options)
        if "Tân Mỹ" in text:  # a value of the wrong type, as an extractor bug might produce
            article = replace(article, figures=[fig._replace(value="fifteen") for fig in article.figures])
        return article

    monkeypatch.setattr(transform.batch, "extract_article", broken_extract)
    refs, _ = discover([tmp_path])
    tables = process_batch(refs, taxonomy, extracted_at=NOW)
    assert article_names(tables, tmp_path) == ["good.txt"]
    assert tables["figures"].num_rows > 0
    assert [r["reason"] for r in tables["rejects"].to_pylist()] == ["extract_error"]


# --- 5. zero-width characters -----------------------------------------------------------


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_zero_width_characters_do_not_split_a_number(invisible: str) -> None:
    raw = f" date 2025-03-14 Công an tỉnh đã bắt giữ 2{invisible}834 đối tượng trong năm 2024.".encode()
    text, _ = decode_document(raw)
    assert invisible not in text
    article = extract_article(text, as_of=NOW.date())
    values = [fig.value for fig in article.figures]
    assert 2834 in values and 834 not in values
    figure = next(fig for fig in article.figures if fig.value == 2834)
    assert article.text[figure.char_start : figure.char_end] == figure.text  # offsets into the stored text


def test_a_document_ref_with_a_discovery_rejection_is_never_opened(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    ref = DocumentRef(uri=str(path), size=0, rejection=("broken_link", "symbolic link loop"))
    with pytest.raises(Rejection) as caught:
        read_bytes(ref)
    assert (caught.value.reason, caught.value.detail) == ("broken_link", "symbolic link loop")


# --- the whole run ----------------------------------------------------------------------


@pytest.mark.flow
def test_a_run_over_an_adversarial_folder_publishes_every_good_article(tmp_path: Path, prefect_harness: None) -> None:
    from flows.refresh import refresh
    from transform.publish import current_version

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(ARTICLE, encoding="utf-8")
    with open(os.fsencode(corpus) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(SECOND_ARTICLE.encode("utf-8"))
    (corpus / "self.txt").symlink_to(corpus / "self.txt")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(corpus / "fifo.txt")
    (corpus / "bom.txt").write_bytes(codecs.BOM_UTF8 + b"\xc3\x28 C\xc3\xb4ng an")
    with (corpus / "huge.txt").open("wb") as handle:
        handle.truncate(4 << 30)
    deep = corpus / Path(*["d"] * (MAX_DEPTH + 2))
    deep.mkdir(parents=True)

    output = tmp_path / "out" / "tables"
    summary = within(300, lambda: refresh(inputs=[str(corpus)], output=str(output)))

    assert summary.published
    assert current_version(str(output)) is not None
    articles, rejects = pq.read_table(output / "articles"), pq.read_table(output / "rejects")
    assert sorted(articles.column("source_uri").to_pylist()) == sorted(
        [f"{corpus}/good.txt", f"file://{corpus}/caf%E9.txt"]
    )
    assert reasons_by_name({"rejects": rejects}, corpus) == {
        "self.txt": "broken_link",
        "zero.txt": "not_a_file",
        "fifo.txt": "not_a_file",
        "bom.txt": "not_utf8",
        "huge.txt": "too_large",
        "/".join(["d"] * (MAX_DEPTH + 1)): "too_deep",
    }
