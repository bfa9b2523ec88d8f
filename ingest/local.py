"""Documents on a local (or mounted) file system: discovery and reading.

Discovery never opens a file (opening a FIFO blocks): it classifies entries by `stat`.
An entry that stands where a document is expected but cannot be one (a broken link, a
FIFO or device, a folder past the depth limit, a folder that cannot be listed) is still
a `DocumentRef`, carrying why (`rejection`): the batch makes it a `rejects` row, so no
input is dropped silently, and it is never read.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import os
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from extract.decode import MAX_BYTES, Rejection

if TYPE_CHECKING:  # imported where used: discovery alone does not need Arrow
    import pyarrow as pa

DOCUMENT_SUFFIXES = (".txt",)
MAX_DEPTH = 100  # folders below an input: a corpus is a few levels deep, more is a trap (or a loop)
FILE_URI_PREFIX = "file://"  # names a path that is not UTF-8 (see `path_uri`); plain paths start with "/"
_READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """Where a document is; cheap to pass between processes and machines.

    `uri` names the document in the tables (a path, or the URL of a web page). A fetched
    page's bytes are in the raw archive (`body_path`), already named by their digest.
    """

    uri: str
    size: int
    body_path: str | None = None  # where the bytes are, when not at `uri`
    content_sha256: str | None = None  # known without reading (archived bodies)
    content_type: str | None = None  # as the server sent it; HTML is parsed to article text
    outlet: str | None = None  # the source's outlet, for documents that do not name theirs
    published_between: tuple[date, date] | None = None  # the source's publication window, if it declares one
    rejection: tuple[str, str] | None = None  # (reason, detail) known at discovery: never read
    mtime_ns: int | None = None  # as discovery saw it: with `size`, what the hash manifest is keyed on

    def of_source(self, outlet: str | None, published_between: tuple[date, date] | None) -> DocumentRef:
        """This document with its source's outlet and publication window. A plain constructor
        call: `dataclasses.replace` costs five times as much (2 s for 354k documents)."""
        return DocumentRef(
            self.uri,
            self.size,
            self.body_path,
            self.content_sha256,
            self.content_type,
            outlet,
            published_between,
            self.rejection,
            self.mtime_ns,
        )


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection within. Building hundreds of thousands of refs and
    tuples, none in a cycle, set it off again and again: a third of discovery and planning
    at 354k documents, for nothing to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def path_uri(path: str) -> str:
    """How a local path is named in the tables: the path itself when it is valid UTF-8.

    A name that is not UTF-8 reaches Python with surrogate escapes, which Arrow cannot
    store. It becomes a `file://` URI with each undecodable byte (and `%`) percent-encoded:
    a valid string, stable, distinct from every plain path (they start with "/") and
    reversible (`local_path`), so the document is still read from its real path.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    escaped = os.fsencode(path).decode("utf-8", "surrogateescape")
    parts = []
    for char in escaped:
        if "\udc80" <= char <= "\udcff":
            parts.append(f"%{ord(char) - 0xDC00:02X}")
        elif char == "%":
            parts.append("%25")
        else:
            parts.append(char)
    return FILE_URI_PREFIX + "".join(parts)


def local_path(ref: DocumentRef) -> str | bytes:
    """The path to open for `ref`: bytes when its name is not UTF-8 (the inverse of `path_uri`)."""
    where = ref.body_path or ref.uri
    if not where.startswith(FILE_URI_PREFIX):
        return where
    encoded = where[len(FILE_URI_PREFIX) :].encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(encoded):
        if encoded[i : i + 1] == b"%":
            out.append(int(encoded[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(encoded[i])
            i += 1
    return bytes(out)


def _kind(mode: int) -> str:
    kinds = {
        stat.S_IFIFO: "a FIFO",
        stat.S_IFCHR: "a character device",
        stat.S_IFBLK: "a block device",
        stat.S_IFSOCK: "a socket",
        stat.S_IFDIR: "a folder",
    }
    return kinds.get(stat.S_IFMT(mode), "not a regular file")


def _rejected(path: str, reason: str, detail: str) -> DocumentRef:
    return DocumentRef(uri=path_uri(path), size=0, rejection=(reason, detail))


def _link_problem(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop (it points to itself, or round a cycle)"
    if error.errno == errno.ENOENT:
        return "symbolic link to a missing target"
    return f"symbolic link that cannot be followed: {error.strerror}"


def _entry_ref(entry: os.DirEntry[str]) -> DocumentRef:
    """A directory entry with a document's name, as a document or a rejection."""
    try:
        if entry.is_symlink():
            try:
                info = os.stat(entry.path)
            except OSError as error:
                return _rejected(entry.path, "broken_link", _link_problem(error))
            target = os.path.realpath(entry.path)
            if stat.S_ISREG(info.st_mode):
                return DocumentRef(uri=path_uri(target), size=info.st_size, mtime_ns=info.st_mtime_ns)
            return _rejected(entry.path, "not_a_file", f"link to {path_uri(target)}, {_kind(info.st_mode)}")
        info = entry.stat(follow_symlinks=False)
    except OSError as error:  # gone or unreadable since the folder was listed
        return _rejected(entry.path, "unreadable", f"{type(error).__name__}: {error.strerror}")
    if stat.S_ISREG(info.st_mode):
        return DocumentRef(uri=path_uri(entry.path), size=info.st_size, mtime_ns=info.st_mtime_ns)
    return _rejected(entry.path, "not_a_file", _kind(info.st_mode))


def _walk(top: str, suffixes: tuple[str, ...], seen: set[str]) -> Iterator[DocumentRef]:
    """The documents below `top`, a real path; hidden entries are skipped.

    Iterative (a folder nested thousands deep is no RecursionError) and cut at `MAX_DEPTH`
    with a `too_deep` row. `os.scandir` rather than `Path.rglob` + `resolve()`: a 35k-file
    corpus is listed in a fraction of the time, and only links pay for resolving. A link
    that cannot be followed is reported when its name is a document's, or has no suffix
    (it may have named a folder of documents).
    """
    pending: list[tuple[str, int]] = [(top, 0)]
    while pending:
        folder, depth = pending.pop()
        if folder in seen:  # a link back up the tree, or a folder given twice
            continue
        seen.add(folder)
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as error:
            yield _rejected(folder, "unreadable", f"folder cannot be listed: {error.strerror}")
            continue
        for entry in listed:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()  # follows links; False for a link that cannot be followed
            except OSError:  # e.g. no permission to stat it: then it is read (and rejected) as a file
                is_folder = False
            if is_folder:
                if depth >= MAX_DEPTH:
                    yield _rejected(entry.path, "too_deep", f"more than {MAX_DEPTH} folders below {path_uri(top)}")
                    continue
                real = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                pending.append((real, depth + 1))
            elif entry.name.lower().endswith(suffixes) or (entry.is_symlink() and "." not in entry.name):
                yield _entry_ref(entry)


def discover(
    inputs: Iterable[str | Path], suffixes: tuple[str, ...] = DOCUMENT_SUFFIXES
) -> tuple[list[DocumentRef], list[tuple[str, str]]]:
    """Documents under `inputs` (files, or folders searched recursively), sorted by uri.

    Entries that cannot be documents come as refs with a `rejection` (see the module).
    Returns the documents and the inputs that do not exist, with why.
    """
    found: dict[str, DocumentRef] = {}
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in inputs:
        path = os.path.expanduser(os.fspath(raw))  # an unknown ~user stays as written: then it does not exist
        try:
            info = os.stat(path)
        except (OSError, ValueError) as error:
            if os.path.lexists(path):
                ref = _rejected(os.path.abspath(path), "broken_link", _link_problem(error))
                found.setdefault(ref.uri, ref)
            else:
                problems.append((path_uri(path), "no such file or folder"))
            continue
        real = os.path.realpath(path)
        if stat.S_ISDIR(info.st_mode):
            for ref in _walk(real, suffixes, seen):
                found.setdefault(ref.uri, ref)
        elif stat.S_ISREG(info.st_mode):
            found[path_uri(real)] = DocumentRef(uri=path_uri(real), size=info.st_size, mtime_ns=info.st_mtime_ns)
        else:
            ref = _rejected(real, "not_a_file", _kind(info.st_mode))
            found.setdefault(ref.uri, ref)
    return sorted(found.values(), key=lambda r: r.uri), problems


def read_bytes(ref: DocumentRef, max_bytes: int = MAX_BYTES) -> bytes:
    """The document's bytes; never more than `max_bytes` + 1 are read.

    Opened without blocking (a FIFO swapped in after discovery must not hang the run)
    and checked with `fstat` on the open file before reading. Raises `Rejection` (the
    reason known at discovery, `not_a_file`, `broken_link`, `too_large`) or OSError.
    """
    if ref.rejection:
        raise Rejection(*ref.rejection)
    try:
        fd = os.open(local_path(ref), os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Rejection("broken_link", _link_problem(error)) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Rejection("not_a_file", _kind(info.st_mode))
        if info.st_size > max_bytes:
            raise Rejection("too_large", f"{info.st_size} bytes, limit {max_bytes}")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, _READ_CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:  # it grew after fstat
            raise Rejection("too_large", f"more than {max_bytes} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


class HashManifest:
    """What discovery already hashed: uri -> (size, mtime_ns, SHA-256), so that a rerun
    reads only the files that changed. A file whose size or modification time differs
    from its entry is hashed again.

    An entry is not trusted when the file's mtime is within RACY_NS of when the entry was
    recorded: a write in the same clock tick as the hashing (or on a file system with
    coarse timestamps) could change the bytes and keep the mtime. Those files are hashed
    again on the next run, and recorded once they are older.

    The loaded entries stay an Arrow table and are looked up all at once (`lookup_all`):
    at 354k files, a dict of them took a second to build and another to look up.
    """

    __slots__ = ("_loaded", "_recorded", "_removed", "changed", "hashed")

    def __init__(self, entries: dict[str, tuple[int, int, str]] | None = None) -> None:
        self._loaded = _manifest_table(entries or {})  # as read; `_recorded` and `_removed` amend it
        self._recorded: dict[str, tuple[int, int, str]] = {}
        self._removed: set[str] = set()
        self.hashed = 0  # files read and hashed by `content_hashes` with this manifest
        self.changed = False  # entries differ from what was loaded: worth saving

    @classmethod
    def from_bytes(cls, data: bytes | None) -> HashManifest:
        """The manifest saved by `to_bytes`; an empty one if `data` is None or unreadable
        (a missing or corrupt manifest only costs hashing)."""
        manifest = cls()
        if not data:
            return manifest
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(pa.BufferReader(data))
            if table.schema.names != _manifest_schema().names:
                return manifest
            manifest._loaded = table.cast(_manifest_schema()).combine_chunks()
        except Exception:  # any damage means: hash everything
            return cls()
        return manifest

    @property
    def entries(self) -> dict[str, tuple[int, int, str]]:
        """Every entry, as a dict (for inspection: the run never builds it)."""
        table = self._current_loaded()
        columns = [column.to_pylist() for column in table.columns]
        found = {uri: (size, mtime, digest) for uri, size, mtime, digest in zip(*columns, strict=True)}
        return {**found, **self._recorded}

    def _current_loaded(self) -> pa.Table:
        """The loaded entries that are neither removed nor recorded again."""
        import pyarrow as pa
        import pyarrow.compute as pc

        gone = self._removed | self._recorded.keys()
        if not gone or not self._loaded.num_rows:
            return self._loaded
        return self._loaded.filter(
            pc.invert(pc.is_in(self._loaded["uri"], value_set=pa.array(list(gone), pa.string())))
        )

    def to_bytes(self) -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.concat_tables([self._current_loaded(), _manifest_table(self._recorded)])
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        return sink.getvalue().to_pybytes()

    def lookup_all(self, refs: list[DocumentRef]) -> list[str | None]:
        """The known digest of each of `refs` (None: not known as it is now, or a rejection)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        found: list[str | None] = [None] * len(refs)
        if self._loaded.num_rows:
            table = self._loaded
            at = pc.index_in(pa.array([r.uri for r in refs], pa.string()), value_set=table["uri"])
            same = pc.and_(
                pc.equal(pc.take(table["size"], at), pa.array([r.size for r in refs], pa.int64())),
                pc.equal(pc.take(table["mtime_ns"], at), pa.array([r.mtime_ns for r in refs], pa.int64())),
            )
            found = pc.if_else(pc.fill_null(same, False), pc.take(table["content_sha256"], at), None).to_pylist()
        if self._recorded or self._removed:
            for i, ref in enumerate(refs):
                if ref.uri in self._removed:
                    found[i] = None
                elif (entry := self._recorded.get(ref.uri)) is not None:
                    found[i] = entry[2] if entry[:2] == (ref.size, ref.mtime_ns) else None
        return [None if ref.rejection or ref.mtime_ns is None else f for ref, f in zip(refs, found, strict=True)]

    def record(self, ref: DocumentRef, digest: str, now_ns: int) -> None:
        if ref.mtime_ns is None or ref.mtime_ns >= now_ns - RACY_NS:
            self._recorded.pop(ref.uri, None)
            self._removed.add(ref.uri)
            return
        self._removed.discard(ref.uri)
        self._recorded[ref.uri] = (ref.size, ref.mtime_ns, digest)
        self.changed = True

    def keep_only(self, uris: set[str]) -> None:
        """Forget files that are no longer among the inputs (the manifest stays the inputs' size)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._loaded.num_rows:
            keep = pc.is_in(self._loaded["uri"], value_set=pa.array(list(uris), pa.string()))
            if not pc.all(keep).as_py():
                self._loaded = self._loaded.filter(keep)
                self.changed = True
        gone = [uri for uri in self._recorded if uri not in uris]
        for uri in gone:
            del self._recorded[uri]
        self.changed = self.changed or bool(gone)


def _manifest_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [("uri", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()), ("content_sha256", pa.string())]
    )


def _manifest_table(entries: dict[str, tuple[int, int, str]]) -> pa.Table:
    import pyarrow as pa

    sizes, mtimes, digests = zip(*entries.values(), strict=True) if entries else ((), (), ())
    return pa.table([list(entries), list(sizes), list(mtimes), list(digests)], schema=_manifest_schema())


RACY_NS = 2_000_000_000  # see HashManifest: 2 s covers FAT's timestamps and clock steps


def content_hashes(refs: Iterable[DocumentRef], manifest: HashManifest | None = None) -> list[str]:
    """SHA-256 of each document's bytes: how a rerun knows what it has seen.

    With a `manifest`, a file whose size and mtime match its entry is not read; the
    others are hashed and recorded in it. A document that cannot be read gets a
    placeholder unique to it, which never matches a digest: it is read (and rejected,
    saying why) again by the batch.
    """
    hashes = []
    now_ns = time.time_ns()
    refs = list(refs)
    known = manifest.lookup_all(refs) if manifest is not None else [None] * len(refs)
    for ref, digest_known in zip(refs, known, strict=True):
        if ref.content_sha256:
            hashes.append(ref.content_sha256)
            continue
        if digest_known is not None:
            hashes.append(digest_known)
            continue
        try:
            digest = hashlib.sha256(read_bytes(ref)).hexdigest()
        except Rejection as rejection:
            hashes.append(f"{rejection.reason}:{ref.uri}")
            continue
        except (OSError, ValueError):
            hashes.append(f"unreadable:{ref.uri}")
            continue
        hashes.append(digest)
        if manifest is not None:
            manifest.hashed += 1
            manifest.record(ref, digest, now_ns)
    return hashes
