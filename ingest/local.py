"""Documents on a local (or mounted) file system: discovery and reading."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
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


def _walk(folder: str, suffixes: tuple[str, ...], seen: set[str]) -> Iterator[tuple[str, int]]:
    """(real path, size) of the documents below `folder`, a real path; hidden entries are
    skipped. `os.scandir` rather than `Path.rglob` + `resolve()`: a 35k-file corpus is
    listed in a fraction of the time, and only links pay for resolving."""
    if folder in seen:  # a link back up the tree
        return
    seen.add(folder)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                real = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                yield from _walk(real, suffixes, seen)
            elif entry.is_file() and entry.name.lower().endswith(suffixes):
                path = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                yield path, entry.stat().st_size


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
            resolved = path.resolve()
            found[str(resolved)] = DocumentRef(uri=str(resolved), size=resolved.stat().st_size)
        elif path.is_dir():
            for uri, size in _walk(str(path.resolve()), suffixes, set()):
                found[uri] = DocumentRef(uri=uri, size=size)
        else:
            problems.append((str(path), "no such file or folder"))
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
