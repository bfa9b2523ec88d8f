"""Raw archive of fetched bodies: content-addressed objects plus an append-only manifest.

Every body is stored as it came, before anything parses it, so extraction can be replayed
without the network: the bytes the server sent with their Content-Encoding (gzip, deflate)
undone, while the record keeps the headers as received. URLs are stored without
credentials (`user:pass@`). Layout under the root (default `data/archive`):

    objects/<sha[:2]>/<sha>   one file per distinct body, named by its SHA-256
    manifest.jsonl            one JSON line per fetch: URL, time, status, headers, body digest

A body is written before its manifest line, so a line never points at a missing body.
One process writes an archive at a time; threads within it may share one `RawArchive`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ingest.sources import without_credentials

MANIFEST_NAME = "manifest.jsonl"
OBJECTS_DIR = "objects"
_SHA256 = re.compile(r"[0-9a-f]{64}")

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArchiveRecord:
    """One fetch as the manifest remembers it (a success, a 304 or a failure)."""

    url: str  # the URL asked for
    final_url: str  # after redirects (== url when none or no response)
    fetched_at: str  # ISO 8601 UTC, e.g. "2026-11-23T21:40:00+00:00"
    status: int | None  # HTTP status; None when no response came (DNS, timeout, too many redirects)
    headers: dict[str, str]  # response headers as received (lower-cased names)
    sha256: str | None  # digest of the stored body; None when no body (failure, 304)
    size: int  # body bytes (0 without body)
    source: str  # the sources.yaml entry's name that asked for it
    role: str  # "feed" or "page"
    error: str | None = None  # reject reason when the fetch failed
    detail: str | None = None  # human-readable why


class RawArchive:
    """Content-addressed store of fetched bodies plus an append-only manifest."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.manifest_path = self.root / MANIFEST_NAME
        self._lock = threading.Lock()
        # url -> last record with a body; built on the first `latest` call, then kept current by `append`.
        self._latest_by_url: dict[str, ArchiveRecord] | None = None

    def body_path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):  # a digest from a manifest becomes a path: never let it escape the root
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / OBJECTS_DIR / sha256[:2] / sha256

    def store(self, body: bytes) -> str:
        """Write `body` under its SHA-256 (once) and return the digest."""
        sha256 = hashlib.sha256(body).hexdigest()
        path = self.body_path(sha256)
        if path.exists():
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        # Temp file in the same folder, then rename: readers see the whole body or none of it.
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as temp:
                temp.write(body)
                temp.flush()
                os.fsync(temp.fileno())  # on disk before a manifest line can point at it
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, sha256: str) -> bytes:
        return self.body_path(sha256).read_bytes()

    def append(self, record: ArchiveRecord) -> None:
        """Add one line to the manifest, flushed before returning."""
        # the fetcher already strips them; the manifest is a file people copy and share
        record = replace(record, url=without_credentials(record.url), final_url=without_credentials(record.final_url))
        line = json.dumps(asdict(record), ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with self.manifest_path.open("a+b") as manifest:
                # A crash can leave a last line without its newline; start a fresh line so this
                # record is not glued onto the broken one.
                if manifest.seek(0, os.SEEK_END) > 0:
                    manifest.seek(-1, os.SEEK_END)
                    if manifest.read(1) != b"\n":
                        manifest.write(b"\n")
                manifest.write(line.encode("utf-8"))
                manifest.flush()
            if self._latest_by_url is not None and record.sha256 is not None:
                self._latest_by_url[record.url] = record

    def records(self) -> list[ArchiveRecord]:
        """Every manifest record in the order it was written; broken (truncated) lines are skipped."""
        with self._lock:
            return self._read_records()

    def latest(self, url: str) -> ArchiveRecord | None:
        """The last record for `url` that has a stored body, or None."""
        with self._lock:
            if self._latest_by_url is None:
                self._latest_by_url = {r.url: r for r in self._read_records() if r.sha256 is not None}
            return self._latest_by_url.get(url)

    def _read_records(self) -> list[ArchiveRecord]:
        try:
            raw = self.manifest_path.read_bytes()
        except FileNotFoundError:
            return []
        records = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                # Only a write cut short by a crash produces this; the body it named, if any, is intact.
                log.warning("%s line %d is not a complete record; skipped", self.manifest_path, number)
                continue
            records.append(ArchiveRecord(**fields))
        return records
