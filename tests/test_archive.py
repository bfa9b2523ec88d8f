"""The raw archive: content-addressed bodies, atomic writes, and a manifest that survives a crash."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import pytest

from ingest.archive import ArchiveRecord, RawArchive

BODY = "Công an TP.HCM bắt 12 đối tượng".encode()


def _record(url: str, sha256: str | None, **changes: object) -> ArchiveRecord:
    fields: dict[str, object] = {
        "url": url,
        "final_url": url,
        "fetched_at": "2026-11-23T21:40:00+00:00",
        "status": 200,
        "headers": {"content-type": "text/html; charset=utf-8"},
        "sha256": sha256,
        "size": 0,
        "source": "cand",
        "role": "page",
    }
    fields.update(changes)
    return ArchiveRecord(**fields)  # type: ignore[arg-type]


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_nothing_is_created_until_the_first_write(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "archive")
    assert archive.records() == []
    assert archive.latest("https://cand.com.vn/") is None
    assert not (tmp_path / "archive").exists()


def test_store_is_content_addressed_and_idempotent(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    sha256 = archive.store(BODY)
    assert sha256 == hashlib.sha256(BODY).hexdigest()
    assert archive.body_path(sha256) == tmp_path / "objects" / sha256[:2] / sha256
    mtime = archive.body_path(sha256).stat().st_mtime_ns
    assert archive.store(BODY) == sha256
    assert archive.body_path(sha256).stat().st_mtime_ns == mtime  # not rewritten
    assert archive.read(sha256) == BODY
    assert _files(tmp_path) == [archive.body_path(sha256)]


def test_concurrent_stores_of_one_body_leave_one_object_and_no_temp_files(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    bodies = [BODY, b"", b"\x00\xff" * 1000]
    threads = [threading.Thread(target=archive.store, args=(body,)) for body in bodies * 8]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _files(tmp_path) == sorted(archive.body_path(hashlib.sha256(b).hexdigest()) for b in bodies)
    assert [archive.read(hashlib.sha256(b).hexdigest()) for b in bodies] == bodies


def test_a_failed_write_leaves_neither_object_nor_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = RawArchive(tmp_path)

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        archive.store(BODY)
    assert _files(tmp_path) == []


def test_body_path_refuses_anything_but_a_digest(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        RawArchive(tmp_path).body_path("../../etc/passwd")


def test_manifest_lines_round_trip_in_order(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    sha256 = archive.store(BODY)
    written = [
        _record("https://cand.com.vn/a", sha256, size=len(BODY), headers={"etag": '"v1"', "x-tên": "Hà Nội"}),
        _record("https://cand.com.vn/b", None, status=None, headers={}, error="fetch_error", detail="read timeout"),
        _record("https://cand.com.vn/a", None, status=304),
    ]
    for record in written:
        archive.append(record)
    assert archive.records() == written
    lines = archive.manifest_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0])["headers"]["x-tên"] == "Hà Nội"  # stored as UTF-8, not escaped
    assert RawArchive(tmp_path).records() == written  # a new instance reads the same file


def test_a_truncated_last_line_is_skipped_and_not_glued_to_the_next(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    first = _record("https://cand.com.vn/a", archive.store(BODY))
    archive.append(first)
    whole = json.dumps({"url": "https://cand.com.vn/b", "final_url": "https://cand.com.vn/b"})
    with archive.manifest_path.open("a", encoding="utf-8") as manifest:
        manifest.write(whole[: len(whole) // 2])  # a crash in the middle of a write
    assert RawArchive(tmp_path).records() == [first]
    after = _record("https://cand.com.vn/c", None, status=404, error="http_error", detail="HTTP 404 Not Found")
    archive.append(after)
    assert RawArchive(tmp_path).records() == [first, after]


def test_concurrent_appends_each_write_one_whole_line(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)

    def append_many(worker: int) -> None:
        for n in range(50):
            archive.append(_record(f"https://cand.com.vn/{worker}/{n}", None, detail="x" * 2000))

    threads = [threading.Thread(target=append_many, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = RawArchive(tmp_path).records()
    assert len(records) == 400
    assert {r.url for r in records} == {f"https://cand.com.vn/{w}/{n}" for w in range(8) for n in range(50)}


def test_latest_is_the_last_record_with_a_body(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    url = "https://cand.com.vn/rss"
    old = _record(url, archive.store(b"<rss>old</rss>"), size=14)
    archive.append(old)
    assert archive.latest(url) == old
    new = _record(url, archive.store(b"<rss>new</rss>"), size=14, fetched_at="2026-11-24T06:00:00+00:00")
    archive.append(new)
    archive.append(_record(url, None, status=304))  # confirms, stores nothing
    archive.append(_record(url, None, status=503, error="http_error", detail="HTTP 503 Service Unavailable"))
    archive.append(_record("https://cand.com.vn/other", archive.store(BODY), size=len(BODY)))
    assert archive.latest(url) == new
    assert RawArchive(tmp_path).latest(url) == new  # the same answer read back from disk
    assert archive.latest("https://cand.com.vn/never") is None
