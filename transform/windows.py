"""A source's publication window, inferred from a sample of its own documents.

An archive crawled over a few months dates few of its articles by their own text (most
cite only earlier years, which say nothing of the year of writing), but the ones it does
date agree. `extract.published.source_window` reads that agreement; this module feeds it
a fixed, evenly spread sample of a local source's documents. The window then bounds every
document of the source as a window declared in sources.yaml does (`published_between`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from extract.decode import Rejection, decode_document
from extract.pipeline import EXTRACTOR_VERSION, article_published
from extract.published import Published, source_window
from ingest.local import DocumentRef, read_bytes
from ingest.sources import is_web_address

# Documents read to infer a window: enough for its strong rules to date a few dozen
# (about 3% of an archive's articles), few enough to cost about a second.
SAMPLE = 600


def spread_sample(refs: Sequence[DocumentRef], size: int = SAMPLE) -> list[DocumentRef]:
    """`size` documents evenly spread over `refs` in URI order: the same on every run."""
    ordered = sorted(refs, key=lambda r: r.uri)
    if len(ordered) <= size:
        return ordered
    step = len(ordered) / size
    return [ordered[int(i * step)] for i in range(size)]


def _published(ref: DocumentRef, as_of: date) -> Published | None:
    try:
        text, _ = decode_document(read_bytes(ref))
    except (Rejection, OSError, ValueError):  # the run rejects it with its reason
        return None
    return article_published(text, as_of)


def _sample(refs: Sequence[DocumentRef], size: int) -> list[DocumentRef]:
    """The documents a window is inferred from. Web pages carry their own dates and are left out."""
    return [r for r in spread_sample([r for r in refs if not is_web_address(r.uri)], size) if r.rejection is None]


def infer_window(refs: Sequence[DocumentRef], as_of: date, size: int = SAMPLE) -> tuple[date, date] | None:
    """The window a local source's documents imply, or None: too few dated strongly, or
    spread over years."""
    return source_window(p for p in (_published(r, as_of) for r in _sample(refs, size)) if p is not None)


def window_key(refs: Sequence[DocumentRef], as_of: date, size: int = SAMPLE) -> str:
    """What `infer_window` depends on: the sampled files as they are now (uri, size and
    mtime, as the hash manifest knows them), the day and the extractor. A rerun whose key
    is the one saved need not read the sample again."""
    digest = hashlib.sha1(f"{EXTRACTOR_VERSION}|{as_of.isoformat()}|{size}".encode())
    for ref in _sample(refs, size):
        digest.update(f"{ref.uri}\0{ref.size}\0{ref.mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def implied_window(refs: Sequence[DocumentRef], as_of: date, saved: dict[str, Any]) -> tuple[date, date] | None:
    """`infer_window`, unless `saved` (what the last run kept for this source: its
    `window_key` and window) was inferred from the same sample; `saved` is updated."""
    key = window_key(refs, as_of)
    if saved.get("key") == key:
        bounds = saved.get("window")
        return (date.fromisoformat(bounds[0]), date.fromisoformat(bounds[1])) if bounds else None
    window = infer_window(refs, as_of)
    saved.update(key=key, window=[d.isoformat() for d in window] if window else None)
    return window
