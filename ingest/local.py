"""Documents on a local (or mounted) file system: discovery and reading."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DOCUMENT_SUFFIXES = (".txt",)


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


def discover(
    inputs: Iterable[str | Path], suffixes: tuple[str, ...] = DOCUMENT_SUFFIXES
) -> tuple[list[DocumentRef], list[tuple[str, str]]]:
    """Documents under `inputs` (files, or folders searched recursively), sorted by path.

    Returns the documents and the inputs that could not be used, with why.
    """
    found: dict[str, DocumentRef] = {}
    problems: list[tuple[str, str]] = []
    for raw in inputs:
        path = Path(raw).expanduser()
        if path.is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = [
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in suffixes
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
        else:
            problems.append((str(path), "no such file or folder"))
            continue
        for candidate in candidates:
            resolved = candidate.resolve()
            found[str(resolved)] = DocumentRef(uri=str(resolved), size=resolved.stat().st_size)
    return sorted(found.values(), key=lambda r: r.uri), problems


def read_bytes(ref: DocumentRef) -> bytes:
    return Path(ref.body_path or ref.uri).read_bytes()


def content_hashes(refs: Iterable[DocumentRef]) -> list[str]:
    """SHA-256 of each document's bytes: how a rerun knows what it has seen."""
    hashes = []
    for ref in refs:
        if ref.content_sha256:
            hashes.append(ref.content_sha256)
            continue
        try:
            hashes.append(hashlib.sha256(read_bytes(ref)).hexdigest())
        except OSError:
            hashes.append(f"unreadable:{ref.uri}")  # never matches: the batch records why
    return hashes
