"""A batch of documents to tables: read, decode, extract, tabulate.

This is the unit of parallel work: a Prefect task runs it on a thread, a process or a
Dask worker. Every document ends as rows or as a reject; one bad document never costs
the others their rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

import pyarrow as pa

from extract.decode import Rejection, decode_document
from extract.pipeline import EXTRACTOR_VERSION, extract_article
from ingest.local import DocumentRef, read_bytes
from transform.tables import ExtractedDocument, Rejected, build_tables
from transform.taxonomy import Taxonomy


def process_batch(refs: Sequence[DocumentRef], taxonomy: Taxonomy, *, extracted_at: datetime) -> dict[str, pa.Table]:
    documents: list[ExtractedDocument] = []
    rejected: list[Rejected] = []
    for ref in refs:
        try:
            raw = read_bytes(ref)
        except OSError as error:
            rejected.append(Rejected(ref.uri, "unreadable", f"{type(error).__name__}: {error}"))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        try:
            text, _encoding = decode_document(raw)
        except Rejection as rejection:
            rejected.append(Rejected(ref.uri, rejection.reason, rejection.detail, digest))
            continue
        try:
            article = extract_article(text, as_of=extracted_at.date())
        except Exception as error:  # an extractor bug must not cost the batch its rows
            rejected.append(Rejected(ref.uri, "extract_error", f"{type(error).__name__}: {error}", digest))
            continue
        if not article.text.strip():
            rejected.append(Rejected(ref.uri, "empty", "nothing left after header and boilerplate", digest))
            continue
        documents.append(ExtractedDocument(ref.uri, digest, article))
    return build_tables(documents, rejected, taxonomy, extracted_at=extracted_at, extractor_version=EXTRACTOR_VERSION)
