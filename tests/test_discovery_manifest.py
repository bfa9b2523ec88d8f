"""Discovery's hash manifest: a rerun reads only the files whose size or mtime changed."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

import ingest.local
from flows.refresh import _hashes_with_manifest
from ingest.local import RACY_NS, HashManifest, content_hashes, discover
from transform.publish import hash_manifest_path, read_hash_manifest

AN_HOUR_AGO_NS = time.time_ns() - 3600 * 1_000_000_000


@pytest.fixture
def read_count(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The uris whose bytes were read for hashing, in order."""
    seen: list[str] = []
    real = ingest.local.read_bytes

    def counting(ref: ingest.local.DocumentRef, *args: object) -> bytes:
        seen.append(ref.uri)
        return real(ref, *args)

    monkeypatch.setattr(ingest.local, "read_bytes", counting)
    return seen


def write_old(path: Path, text: str, mtime_ns: int = AN_HOUR_AGO_NS) -> None:
    """A document last modified `mtime_ns` (by default an hour ago: past the racy window)."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_untouched_files_are_not_read_again(tmp_path: Path, read_count: list[str]) -> None:
    corpus, output = tmp_path / "corpus", tmp_path / "out" / "tables"
    corpus.mkdir()
    output.parent.mkdir()
    write_old(corpus / "a.txt", "Tỉnh Bắc Vân có 12 trường học mới.")
    write_old(corpus / "b.txt", "Huyện Tân Mỹ trồng 300 ha rừng.")
    refs, _ = discover([corpus])
    first = _hashes_with_manifest(refs, output)
    assert len(read_count) == 2
    assert Path(hash_manifest_path(output)).is_file()

    read_count.clear()
    again, _ = discover([corpus])
    assert _hashes_with_manifest(again, output) == first
    assert read_count == []  # nothing changed: nothing read


def test_same_size_new_mtime_is_hashed_again(tmp_path: Path, read_count: list[str]) -> None:
    corpus, output = tmp_path / "corpus", tmp_path / "tables"
    corpus.mkdir()
    write_old(corpus / "a.txt", "Xã Đông Hải có 45 hộ nghèo.")
    write_old(corpus / "b.txt", "Phường Tây Sơn có 80 cửa hàng.")
    refs, _ = discover([corpus])
    _hashes_with_manifest(refs, output)

    read_count.clear()
    write_old(corpus / "a.txt", "Xã Đông Hải có 54 hộ nghèo.", AN_HOUR_AGO_NS + 1_000_000_000)  # same size
    refs, _ = discover([corpus])
    hashes = _hashes_with_manifest(refs, output)
    assert read_count == [str(corpus / "a.txt")]  # b.txt untouched: not read
    assert hashes[0] == hashlib.sha256("Xã Đông Hải có 54 hộ nghèo.".encode()).hexdigest()


def test_a_changed_size_is_hashed_again_even_with_the_old_mtime(tmp_path: Path, read_count: list[str]) -> None:
    write_old(tmp_path / "a.txt", "Có 7 cây cầu.")
    refs, _ = discover([tmp_path / "a.txt"])
    manifest = HashManifest()
    content_hashes(refs, manifest)
    write_old(tmp_path / "a.txt", "Có 17 cây cầu.")  # the mtime put back as it was
    read_count.clear()
    refs, _ = discover([tmp_path / "a.txt"])
    assert content_hashes(refs, manifest) == [hashlib.sha256("Có 17 cây cầu.".encode()).hexdigest()]
    assert len(read_count) == 1


def test_a_file_written_just_now_is_not_trusted(tmp_path: Path, read_count: list[str]) -> None:
    """Its bytes could still change within the same mtime tick: it is hashed again next time."""
    (tmp_path / "a.txt").write_text("Có 9 bến xe.", encoding="utf-8")
    refs, _ = discover([tmp_path])
    assert refs[0].mtime_ns is not None and refs[0].mtime_ns > time.time_ns() - RACY_NS
    manifest = HashManifest()
    content_hashes(refs, manifest)
    content_hashes(refs, manifest)
    assert len(read_count) == 2


@pytest.mark.parametrize("damage", [b"", b"not parquet at all", b"PAR1\x00\x00PAR1"])
def test_a_corrupt_manifest_means_hashing(tmp_path: Path, read_count: list[str], damage: bytes) -> None:
    write_old(tmp_path / "a.txt", "Có 3 nhà máy.")
    output = tmp_path / "tables"
    Path(hash_manifest_path(output)).write_bytes(damage)
    refs, _ = discover([tmp_path / "a.txt"])
    assert _hashes_with_manifest(refs, output) == [hashlib.sha256("Có 3 nhà máy.".encode()).hexdigest()]
    assert len(read_count) == 1
    assert HashManifest.from_bytes(read_hash_manifest(output)).entries  # rewritten whole


def test_the_manifest_forgets_files_no_longer_among_the_inputs(tmp_path: Path) -> None:
    write_old(tmp_path / "a.txt", "Có 4 bệnh viện.")
    write_old(tmp_path / "b.txt", "Có 5 bệnh viện.")
    output = tmp_path / "tables"
    refs, _ = discover([tmp_path])
    _hashes_with_manifest(refs, output)
    (tmp_path / "b.txt").unlink()
    refs, _ = discover([tmp_path])
    _hashes_with_manifest(refs, output)
    assert set(HashManifest.from_bytes(read_hash_manifest(output)).entries) == {str(tmp_path / "a.txt")}


def test_a_remote_output_keeps_its_manifest_beside_it(tmp_path: Path, read_count: list[str]) -> None:
    write_old(tmp_path / "a.txt", "Có 6 sân bay.")
    output = "memory://manifest-test/solieu/tables"
    refs, _ = discover([tmp_path / "a.txt"])
    _hashes_with_manifest(refs, output)
    _hashes_with_manifest(refs, output)
    assert len(read_count) == 1
    assert read_hash_manifest(output) is not None
