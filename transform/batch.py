"""A batch of documents to tables: read, decode, extract, tabulate.

This is the unit of parallel work: a Prefect task runs it on a thread, a process or a
Dask worker. Every document ends as rows or as a reject; one bad document never costs
the others their rows.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa

from extract.decode import MAX_BYTES, Rejection, decode_document
from extract.pipeline import EXTRACTOR_VERSION, extract_article
from extract.records import KnownFacts
from ingest.local import DocumentRef, read_bytes
from ingest.sources import is_web_address
from transform.publish import write_parts
from transform.tables import ExtractedDocument, Rejected, build_tables, concat_tables, window_text
from transform.taxonomy import Taxonomy


def _document_text(ref: DocumentRef, raw: bytes) -> tuple[str, KnownFacts | None]:
    """The text to extract from, and the facts its container states: a fetched web page
    becomes its article text and metadata, anything else is a text document. Raises
    `Rejection` (a page that is not HTML is `not_html`)."""
    if not is_web_address(ref.uri):
        return decode_document(raw)[0], None
    if len(raw) > MAX_BYTES:
        raise Rejection("too_large", f"{len(raw)} bytes, limit {MAX_BYTES}")
    from ingest.html import parse_page  # trafilatura and lxml: loaded by workers that meet a page

    page = parse_page(raw, ref.content_type, ref.uri)
    text, _ = decode_document(page.text.encode())  # the checks every document gets (language, controls)
    # A page that names no outlet gets its URL's host from trafilatura ("www." dropped, port kept).
    # That is no name the page states: leave the outlet to the text's lead, then the sources file.
    outlet = page.outlet
    host = urlsplit(ref.uri).netloc.rpartition("@")[2].casefold()
    if outlet and outlet.casefold() in {host, re.sub(r"^(?:www|w\d+)\.", "", host)}:
        outlet = None
    facts = KnownFacts(title=page.title, outlet=outlet, author=page.author, published_date=page.published)
    return text, facts


def _printable(text: str) -> str:
    """`text` without surrogate escapes (an OSError names a path that is not UTF-8 with
    them), which Arrow cannot store."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _failure(error: BaseException) -> str:
    return _printable(f"{type(error).__name__}: {error}")


def _one_document(ref: DocumentRef, extracted_at: datetime) -> ExtractedDocument | Rejected:
    """The document's article, or why there is none. Never raises for a bad document."""
    try:
        raw = read_bytes(ref)
    except Rejection as rejection:  # known at discovery, or not a regular file, or too large
        return Rejected(ref.uri, rejection.reason, _printable(rejection.detail))
    except (OSError, ValueError) as error:
        return Rejected(ref.uri, "unreadable", _failure(error))
    digest = ref.content_sha256 or hashlib.sha256(raw).hexdigest()
    try:
        text, known = _document_text(ref, raw)
    except Rejection as rejection:
        return Rejected(ref.uri, rejection.reason, _printable(rejection.detail), digest)
    except Exception as error:  # a decoder or page parser bug must not cost the batch its rows
        return Rejected(ref.uri, "extract_error", _failure(error), digest)
    if ref.published_between is not None:
        known = replace(known or KnownFacts(), published_between=ref.published_between)
    try:
        article = extract_article(text, as_of=extracted_at.date(), known=known)
    except Exception as error:  # an extractor bug must not cost the batch its rows
        return Rejected(ref.uri, "extract_error", _failure(error), digest)
    if article.facts.outlet is None and ref.outlet:
        article = replace(article, facts=replace(article.facts, outlet=ref.outlet))
    if not article.text.strip():
        return Rejected(ref.uri, "empty", "nothing left after header and boilerplate", digest)
    return ExtractedDocument(ref.uri, digest, article, window_text(ref.published_between))


def process_batch(refs: Sequence[DocumentRef], taxonomy: Taxonomy, *, extracted_at: datetime) -> dict[str, pa.Table]:
    documents: list[ExtractedDocument] = []
    rejected: list[Rejected] = []
    for ref in refs:
        outcome = _one_document(ref, extracted_at)
        if isinstance(outcome, Rejected):
            rejected.append(outcome)
        else:
            documents.append(outcome)
    tabulate = {"taxonomy": taxonomy, "extracted_at": extracted_at, "extractor_version": EXTRACTOR_VERSION}
    try:
        return build_tables(documents, rejected, **tabulate)
    except Exception:  # a row Arrow cannot take: find its document, keep the others' rows
        parts = [build_tables([], rejected, **tabulate)]
        for doc in documents:
            try:
                parts.append(build_tables([doc], [], **tabulate))
            except Exception as error:
                failure = Rejected(doc.source_uri, "extract_error", _failure(error), doc.content_sha256)
                parts.append(build_tables([], [failure], **tabulate))
        return concat_tables(parts)  # it also turns repeated article texts into duplicate rejects


# What the run needs of a batch's articles once their rows are written: to find the same
# article text in two batches (one article, one duplicate reject) and to count.
ARTICLE_KEYS = ["article_id", "source_uri", "content_sha256", "extracted_at"]


@dataclass
class BatchOutcome:
    """What a batch hands back once it has written its rows: the parts, counts and keys,
    never the rows themselves (they can be the whole corpus's text, summed over batches)."""

    parts: list[dict[str, Any]]  # `_PARTS.json` entries of the parts it wrote
    rows: Counter[str]  # rows written, by table
    rejects: Counter[str]  # rejects, by reason
    articles: pa.Table  # ARTICLE_KEYS of its articles, in order


def extract_to_parts(
    refs: Sequence[DocumentRef], taxonomy: Taxonomy, *, extracted_at: datetime, staging: str | Path
) -> BatchOutcome:
    """`process_batch`, its tables written as parts into the staging version `staging`."""
    tables = process_batch(refs, taxonomy, extracted_at=extracted_at)
    parts = write_parts(tables, staging, salt=refs[0].uri if refs else "")
    return BatchOutcome(
        parts=parts,
        rows=Counter({name: table.num_rows for name, table in tables.items()}),
        rejects=Counter(tables["rejects"].column("reason").to_pylist()),
        articles=tables["articles"].select(ARTICLE_KEYS),
    )
