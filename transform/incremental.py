"""Incremental refresh: reprocess only documents whose content or pipeline changed.

A document is known by the SHA-256 of its raw bytes. Its rows in the published tables
can be carried over when they were made by the same extractor version and the same
metric taxonomy; a new extractor version or taxonomy reprocesses everything, on purpose.
The tables of a run describe the documents it discovered: rows of documents that are
no longer among the inputs are not carried over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ingest.local import DocumentRef
from transform import schemas
from transform.publish import current_version, filesystem


@dataclass
class Plan:
    """What a run must extract, and what it can take from the published tables."""

    new: list[DocumentRef]
    carried: dict[str, pa.Table]  # previous rows of documents still present and unchanged
    reused: int  # documents whose rows are carried over
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (uri, first uri) same bytes

    @property
    def extracts_nothing(self) -> bool:
        return not self.new


# What deciding a refresh needs of the published tables: keys, versions, and the columns
# the run summary counts. Reading them alone skips the article bodies (most of the bytes).
KEY_COLUMNS: dict[str, list[str]] = {
    "articles": ["article_id", "source_uri", "content_sha256", "extractor_version", "taxonomy_version"],
    "figures": ["article_id"],
    "dates": ["article_id"],
    "rejects": ["source_uri", "reason", "content_sha256"],
}


def read_published(output: str | Path, columns: dict[str, list[str]] | None = None) -> dict[str, pa.Table] | None:
    """The currently published tables of `output` (a folder or an fsspec URL), or None if
    there are none (or they do not have today's schema: then everything is reprocessed).
    `columns` reads only those columns of each table (see KEY_COLUMNS)."""
    import pyarrow.dataset as ds  # it imports pandas: not at module level, which workers import

    current = current_version(output)
    if current is None:
        return None
    fs, root = filesystem(current)
    tables = {}
    for name, schema in schemas.TABLES.items():
        names = columns[name] if columns else schema.names
        wanted = pa.schema([schema.field(n) for n in names])
        try:
            dataset = ds.dataset(f"{root}/{name}", format="parquet", partitioning="hive", filesystem=fs)
            table = dataset.to_table(columns=names)
        except (pa.ArrowInvalid, FileNotFoundError, KeyError):
            return None
        tables[name] = table.select(names).cast(wanted)
    return tables


def _same_pipeline(articles: pa.Table, extractor_version: str, taxonomy_version: str) -> bool:
    if articles.num_rows == 0:
        return True
    versions = set(articles.column("extractor_version").unique().to_pylist())
    taxonomies = set(articles.column("taxonomy_version").unique().to_pylist())
    return versions == {extractor_version} and taxonomies == {taxonomy_version}


def plan_refresh(
    refs: list[DocumentRef],
    hashes: list[str],
    previous: dict[str, pa.Table] | None,
    *,
    extractor_version: str,
    taxonomy_version: str,
) -> Plan:
    """Split discovered documents (with their content hashes) into new and carried over."""
    first_uri: dict[str, str] = {}
    unique: list[tuple[DocumentRef, str]] = []
    duplicates: list[tuple[str, str]] = []
    for ref, digest in zip(refs, hashes, strict=True):
        if digest in first_uri:
            duplicates.append((ref.uri, first_uri[digest]))
        else:
            first_uri[digest] = ref.uri
            unique.append((ref, digest))
    empty = {name: schema.empty_table() for name, schema in schemas.TABLES.items()}
    if previous is None or not _same_pipeline(previous["articles"], extractor_version, taxonomy_version):
        return Plan([ref for ref, _ in unique], empty, 0, duplicates)

    known = set(previous["articles"].column("content_sha256").to_pylist())
    known |= {h for h in previous["rejects"].column("content_sha256").to_pylist() if h}
    new = [ref for ref, digest in unique if digest not in known]
    present = pa.array([d for _, d in unique if d in known], pa.string())

    articles = previous["articles"].filter(pc.is_in(previous["articles"].column("content_sha256"), present))
    # a document that moved keeps its rows under its new path
    articles = _with_current_uri(articles, first_uri)
    ids = articles.column("article_id")
    carried = {
        "articles": articles,
        "figures": previous["figures"].filter(pc.is_in(previous["figures"].column("article_id"), ids)),
        "dates": previous["dates"].filter(pc.is_in(previous["dates"].column("article_id"), ids)),
        "rejects": _with_current_uri(
            previous["rejects"].filter(
                pc.fill_null(pc.is_in(previous["rejects"].column("content_sha256"), present), False)
            ),
            first_uri,
        ),
    }
    reused = len(present)
    return Plan(new, carried, reused, duplicates)


def _with_current_uri(table: pa.Table, first_uri: dict[str, str]) -> pa.Table:
    uris = [first_uri[h] for h in table.column("content_sha256").to_pylist()]
    index = table.schema.get_field_index("source_uri")
    return table.set_column(index, table.schema.field(index), pa.array(uris, pa.string()))
