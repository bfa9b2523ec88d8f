"""Records to Arrow tables with the published schemas (`transform.schemas`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from extract.records import Article
from transform import schemas
from transform.taxonomy import Taxonomy


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_id(text: str) -> str:
    """Stable id of an article: a hash of its stored text (the same article from two
    sources is one article)."""
    return sha256(text)[:16]


def _row_id(article: str, kind: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{article}:{kind}:{start}:{end}".encode()).hexdigest()[:16]


@dataclass
class ExtractedDocument:
    """One source document that yielded an article."""

    source_uri: str
    content_sha256: str  # of the raw bytes: how a rerun knows the document
    article: Article


@dataclass
class Rejected:
    source_uri: str
    reason: str
    detail: str


@dataclass
class TableRows:
    """Column-wise rows of the four tables, filled document by document."""

    articles: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    dates: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)


def build_tables(
    documents: Iterable[ExtractedDocument],
    rejected: Iterable[Rejected],
    taxonomy: Taxonomy,
    *,
    extracted_at: datetime,
    extractor_version: str,
) -> dict[str, pa.Table]:
    """The four tables for these documents, as Arrow tables with explicit schemas."""
    rows = TableRows()
    seen: set[str] = set()
    for doc in documents:
        art = doc.article
        aid = article_id(art.text)
        if aid in seen:  # the same article text from a second source: one row
            continue
        seen.add(aid)
        facts = art.facts
        rows.articles.append(
            {
                "article_id": aid,
                "source_uri": doc.source_uri,
                "title": facts.title,
                "outlet": facts.outlet,
                "author": facts.author,
                "published_date": facts.published_date,
                "published_precision": facts.published_precision,
                "published_year": facts.published_date.year if facts.published_date else None,
                "text": art.text,
                "n_chars": len(art.text),
                "content_sha256": doc.content_sha256,
                "extracted_at": extracted_at,
                "extractor_version": extractor_version,
            }
        )
        for fig in art.figures:
            rows.figures.append(
                {
                    "figure_id": _row_id(aid, "figure", fig.char_start, fig.char_end),
                    "article_id": aid,
                    "char_start": fig.char_start,
                    "char_end": fig.char_end,
                    "text": fig.text,
                    "value": fig.value,
                    "value_max": fig.value_max,
                    "unit": fig.unit,
                    "item": fig.item,
                    "qualifier": fig.qualifier,
                    "metric": taxonomy.metric_for(fig.unit, fig.item, fig.context_before),
                    "period_start": fig.period_start,
                    "period_end": fig.period_end,
                    "sentence": fig.sentence,
                }
            )
        for mention in art.dates:
            rows.dates.append(
                {
                    "date_id": _row_id(aid, "date", mention.char_start, mention.char_end),
                    "article_id": aid,
                    "char_start": mention.char_start,
                    "char_end": mention.char_end,
                    "text": mention.text,
                    "start_date": mention.start_date,
                    "end_date": mention.end_date,
                    "granularity": mention.granularity,
                    "year_inferred": mention.year_inferred,
                }
            )
    for rej in rejected:
        rows.rejects.append(
            {"source_uri": rej.source_uri, "reason": rej.reason, "detail": rej.detail, "seen_at": extracted_at}
        )
    return {name: pa.Table.from_pylist(getattr(rows, name), schema=schema) for name, schema in schemas.TABLES.items()}


KEYS = {"articles": "article_id", "figures": "figure_id", "dates": "date_id"}


def _first_of_each_key(table: pa.Table, key: str) -> pa.Table:
    seen: set[str] = set()
    keep = []
    for value in table.column(key).to_pylist():
        keep.append(value not in seen)
        seen.add(value)
    return table if all(keep) else table.filter(pa.array(keep))


def concat_tables(parts: Sequence[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """Tables of several batches as one set (empty tables when there are no batches).

    An article met in two batches (the same text from two sources) keeps its first rows.
    """
    result = {}
    for name, schema in schemas.TABLES.items():
        pieces = [p[name] for p in parts if p[name].num_rows]
        table = pa.concat_tables(pieces) if pieces else schema.empty_table()
        result[name] = _first_of_each_key(table, KEYS[name]) if name in KEYS else table
    return result
