"""Incremental refresh: reprocess only documents whose content or pipeline changed, and
carry the rest over part by part, without reading the published tables whole.

A document is known by the SHA-256 of its raw bytes. Its rows in the published tables
can be carried over when they were made by the same extractor version and the same
metric taxonomy; a new extractor version or taxonomy reprocesses everything, on purpose.
The tables of a run describe the documents it discovered: rows of documents that are
no longer among the inputs are not carried over.

A document is read with its source's publication window (declared, or implied by the
source's own documents), which bounds its date and so the years of its dates and
periods: an article whose source's window moved since it was extracted
(`articles.published_window`) is extracted again too.

The published version lists its parts in `_PARTS.json` (transform/publish.py). Planning
reads only the keys of the articles and rejects parts, and the article ids of a figures or
dates part only when an article of its extraction time is gone. A part whose rows are all
carried is shared with the new version as it is (a hard link, or a copy within the
store); a part with some rows gone, or with documents that moved, is rewritten with the
rest; a part with none left is not carried. Rejects without a content hash (sources that
failed, second copies of the same bytes) are made again by every run, never carried.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.local import DocumentRef
from transform import schemas
from transform.publish import PARTS, current_version, filesystem, share_parts, write_part
from transform.tables import window_text


@dataclass
class Rewrite:
    """A part of the current version carried with some rows left out or re-pathed."""

    part: dict[str, Any]  # its `_PARTS.json` entry
    keep: pa.Array  # booleans: which of its rows stay
    uris: pa.Array | None = None  # the rows' current source_uri (articles, rejects), all rows


@dataclass
class Plan:
    """What a run must extract, and what it carries over from the published version."""

    new: list[DocumentRef]
    reused: int = 0  # documents whose rows are carried over
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (uri, first uri): same bytes
    current: str | None = None  # the published version the carried parts come from
    shared: list[dict[str, Any]] = field(default_factory=list)  # parts carried as they are
    rewrites: list[Rewrite] = field(default_factory=list)
    dropped: int = 0  # parts with rows of this run's documents that are not carried
    carried_rows: Counter[str] = field(default_factory=Counter)  # rows carried, by table
    carried_rejects: Counter[str] = field(default_factory=Counter)  # carried rejects, by reason
    carried_ids: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))  # carried article ids
    carried_uris: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))  # and their sources
    remade_rejects: list[tuple[str, str, str | None]] = field(default_factory=list)  # (uri, reason, detail)

    @property
    def extracts_nothing(self) -> bool:
        return not self.new

    def unchanged(self, extra_rejects: pa.Table) -> bool:
        """Nothing to extract, every part carried as it is, and the rejects this run makes
        again (second copies, failed sources) the same as the published ones: the
        published tables already are this run's."""
        if self.current is None or self.new or self.rewrites or self.dropped:
            return False
        made = zip(*(extra_rejects.column(c).to_pylist() for c in ("source_uri", "reason", "detail")), strict=True)
        return sorted(made, key=str) == sorted(self.remade_rejects, key=str)

    def carry_over(self, staging: str | Path) -> list[dict[str, Any]]:
        """Put the carried parts into `staging`: shared ones linked or copied, the others
        rewritten with the rows that stay. Returns their `_PARTS.json` entries."""
        if self.current is None:
            return []
        entries = share_parts(self.shared, self.current, staging)
        fs, root = filesystem(self.current)
        for rewrite in self.rewrites:
            part_stamp = rewrite.part.get("stamp")
            table = pq.read_table(f"{root}/{rewrite.part['path']}", filesystem=fs)
            table = table.select(_names(rewrite.part)).cast(_schema(rewrite.part))
            if rewrite.uris is not None:
                index = table.schema.get_field_index("source_uri")
                table = table.set_column(index, table.schema.field(index), rewrite.uris)
            source = rewrite.part["path"]
            folder = source.rpartition("/")[0]
            entries.append(write_part(table.filter(rewrite.keep), staging, folder, part_stamp, source))
        return entries


# What planning reads of each part: keys, versions and when its rows were made.
_ARTICLE_KEYS = [
    "article_id", "source_uri", "content_sha256", "extractor_version", "taxonomy_version", "extracted_at",
    "published_window",
]  # fmt: skip
_REJECT_KEYS = ["source_uri", "reason", "detail", "content_sha256"]


READERS = 8  # parts whose keys are read at once

# the tables whose parts a refresh carries over (the metrics are made anew by every run)
CARRIED = {**schemas.TABLES, "fact_mentions": schemas.MENTIONS}


def table_of(part: dict[str, Any]) -> str:
    """The table a `_PARTS.json` entry belongs to."""
    return str(part.get("table") or part["path"].partition("/")[0])


def _schema(part: dict[str, Any]) -> pa.Schema:
    return CARRIED[table_of(part)]


def _names(part: dict[str, Any]) -> list[str]:
    return _schema(part).names


def published_parts(output: str | Path) -> tuple[str | None, list[dict[str, Any]] | None]:
    """The current version of `output` and its parts (None when it lists none that this
    code can read: a version of an older layout, whose documents are then all extracted)."""
    current = current_version(output)
    if current is None:
        return None, None
    fs, root = filesystem(current)
    try:
        listed = json.loads(fs.cat_file(f"{root}/{PARTS}"))
    except (FileNotFoundError, ValueError, OSError):
        return current, None
    if not isinstance(listed, list) or not all(isinstance(p, dict) and isinstance(p.get("path"), str) for p in listed):
        return current, None
    return current, listed


def _read_keys(current: str, part: dict[str, Any], columns: list[str]) -> pa.Table | None:
    """The `columns` of one part, cast to today's schema; None when the part cannot be
    read with them (then the version's documents are all extracted again)."""
    fs, root = filesystem(current)
    wanted = pa.schema([_schema(part).field(c) for c in columns])
    try:
        return pq.read_table(f"{root}/{part['path']}", columns=columns, filesystem=fs).cast(wanted)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, FileNotFoundError, KeyError, OSError, ValueError):
        return None


def plan_refresh(
    refs: list[DocumentRef],
    hashes: list[str],
    output: str | Path,
    *,
    extractor_version: str,
    taxonomy_version: str,
) -> Plan:
    """Split discovered documents (with their content hashes) into new and carried over,
    and the published version's parts into shared, rewritten and left out."""
    first_uri: dict[str, str] = {}
    unique: list[tuple[DocumentRef, str]] = []
    duplicates: list[tuple[str, str]] = []
    for ref, digest in zip(refs, hashes, strict=True):
        if digest in first_uri:
            duplicates.append((ref.uri, first_uri[digest]))
        else:
            first_uri[digest] = ref.uri
            unique.append((ref, digest))
    everything = Plan([ref for ref, _ in unique], duplicates=duplicates)
    current, parts = published_parts(output)
    if current is None or parts is None:
        return everything
    by_table: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        if table_of(part) not in CARRIED:  # the metrics: made anew by every run
            continue
        by_table.setdefault(table_of(part), []).append(part)

    articles = _with_keys(current, by_table.get("articles", []), _ARTICLE_KEYS)
    rejects = _with_keys(current, by_table.get("rejects", []), _REJECT_KEYS)
    if any(keys is None for _, keys in articles + rejects):
        return everything
    for _, keys in articles:
        assert keys is not None
        if keys.num_rows and (
            set(keys["extractor_version"].unique().to_pylist()) != {extractor_version}
            or set(keys["taxonomy_version"].unique().to_pylist()) != {taxonomy_version}
        ):
            return everything  # made by another pipeline: every document again

    # Arrow, not Python sets: at 354k documents the lookups below cost a tenth
    digests = pa.array([digest for _, digest in unique], pa.string())
    uris = pa.array([ref.uri for ref, _ in unique], pa.string())
    published = [c for _, keys in articles + rejects for c in keys["content_sha256"].chunks]  # type: ignore[index]
    known = pc.is_in(digests, value_set=pa.chunked_array(published, pa.string()).combine_chunks())
    new = [ref for (ref, _), seen in zip(unique, known.to_pylist(), strict=True) if not seen]
    plan = Plan(new, reused=pc.sum(pc.cast(known, pa.int64())).as_py() or 0, duplicates=duplicates, current=current)

    kept_ids: list[pa.Array] = []
    kept_uris: list[pa.Array] = []
    dropped_stamps: set[str | None] = set()
    article_keys = [k for _, k in articles]
    windows = pa.array([window_text(ref.published_between) for ref, _ in unique], pa.string())
    moved: list[pa.Array] = []  # the documents (indices into `unique`) whose source's window moved
    for (part, keys), found in zip(articles, _index_in(article_keys, "content_sha256", digests), strict=True):
        assert keys is not None
        keep = pc.is_valid(found)
        then = keys["published_window"].combine_chunks()
        stale = pc.and_(keep, pc.invert(_same_window(pc.take(windows, found), then)))
        if pc.any(stale).as_py():
            moved.append(found.filter(stale))
            keep = pc.and_(keep, pc.invert(stale))
        now = _uris_now(keys, found, uris)
        kept_ids.append(keys["article_id"].filter(keep).combine_chunks())
        kept_uris.append(now.filter(keep))
        if not pc.all(keep).as_py():
            dropped = keys["extracted_at"].filter(pc.invert(keep))
            dropped_stamps |= {None if t is None else t.isoformat() for t in dropped.to_pylist()}
        _carry(plan, part, keys, keep, now)
    if kept_ids:
        plan.carried_ids, plan.carried_uris = pa.concat_arrays(kept_ids), pa.concat_arrays(kept_uris)
    if moved:  # extracted again, in the window their source has now
        again = sorted(set(pa.concat_arrays(moved).to_pylist()))
        plan.new += [unique[i][0] for i in again]
        plan.reused -= len(again)

    reject_keys = [k for _, k in rejects]
    for (part, keys), found in zip(rejects, _index_in(reject_keys, "content_sha256", digests), strict=True):
        assert keys is not None
        keep = pc.is_valid(found)
        remade = keys.filter(pc.is_null(keys["content_sha256"]))
        plan.remade_rejects += list(
            zip(*(remade.column(c).to_pylist() for c in ("source_uri", "reason", "detail")), strict=True)
        )
        plan.carried_rejects.update(keys["reason"].filter(keep).to_pylist())
        if remade.num_rows == keys.num_rows:  # only rows every run makes again: nothing to carry
            continue
        _carry(plan, part, keys, keep, _uris_now(keys, found, uris))

    to_read: list[dict[str, Any]] = []
    for name in ("figures", "dates", "fact_mentions"):
        for part in by_table.get(name, []):
            # the extraction times of its rows (several in a compacted part); unknown: read its ids
            stamps = part.get("stamps", [part["stamp"]] if "stamp" in part else None)
            if stamps is not None and not dropped_stamps.intersection(stamps):  # every article of its time stays
                plan.shared.append(part)
                plan.carried_rows[name] += int(part.get("rows", 0))
            else:
                to_read.append(part)
    ids = _read_all(current, to_read, ["article_id"])
    if any(i is None for i in ids):
        return everything
    for part, keys, keep in zip(to_read, ids, _in_set(ids, "article_id", plan.carried_ids), strict=True):
        assert keys is not None
        _carry(plan, part, keys, keep, None)
    return plan


def _read_all(current: str, parts: list[dict[str, Any]], columns: list[str]) -> list[pa.Table | None]:
    """`_read_keys` of each part, several at a time: a 10x archive has about 700 parts a
    table, and reading them one after the other took most of the plan (Parquet decodes
    without the GIL)."""
    if len(parts) < 2:
        return [_read_keys(current, part, columns) for part in parts]
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        return list(pool.map(lambda part: _read_keys(current, part, columns), parts))


def _with_keys(
    current: str, parts: list[dict[str, Any]], columns: list[str]
) -> list[tuple[dict[str, Any], pa.Table | None]]:
    return list(zip(parts, _read_all(current, parts, columns), strict=True))


def _same_window(now: pa.Array, then: pa.Array) -> pa.Array:
    """Row by row, whether a document's window now is the one it was extracted with (none and none alike)."""
    equal = pc.fill_null(pc.equal(now, then), False)
    return pc.or_(equal, pc.and_(pc.is_null(now), pc.is_null(then)))


def _index_in(tables: list[pa.Table | None], column: str, values: pa.Array) -> list[pa.Array]:
    """For each table, where each row's `column` is in `values` (null: not there). One
    lookup over all the tables: Arrow builds its hash table of `values` on every call."""
    if not tables:
        return []
    whole = pa.chunked_array([c for t in tables if t is not None for c in t[column].chunks], values.type)
    found = pc.index_in(whole, value_set=values).combine_chunks()
    slices, start = [], 0
    for table in tables:
        rows = 0 if table is None else table.num_rows
        slices.append(found.slice(start, rows))
        start += rows
    return slices


def _uris_now(keys: pa.Table, found: pa.Array, uris: pa.Array) -> pa.Array:
    """The source of each row now: the first uri of its content among this run's documents
    (`found` indexes `uris`), else the one it was published with."""
    return pc.coalesce(pc.take(uris, found), keys["source_uri"].combine_chunks())


def _in_set(tables: list[pa.Table | None], column: str, values: pa.Array) -> list[pa.Array]:
    """For each table, whether each row's `column` is among `values` (null: no)."""
    return [pc.is_valid(found) for found in _index_in(tables, column, values)]


def _carry(plan: Plan, part: dict[str, Any], keys: pa.Table, keep: pa.Array, uris: pa.Array | None) -> None:
    """Record how `part` is carried: shared when every row stays as it is, rewritten when
    some go or their document moved (`uris`, its rows' sources now, differ from the
    published ones), left out when none stays."""
    kept = pc.sum(pc.cast(keep, pa.int64())).as_py() or 0
    name = table_of(part)
    plan.carried_rows[name] += kept
    if kept == 0:
        if keys.num_rows:
            plan.dropped += 1
        return
    if uris is not None and pc.all(pc.equal(uris, keys["source_uri"].combine_chunks())).as_py() is not False:
        uris = None  # nobody moved
    whole = keep.combine_chunks() if isinstance(keep, pa.ChunkedArray) else keep
    if kept == keys.num_rows and uris is None:
        plan.shared.append(part)
    else:
        plan.rewrites.append(Rewrite(part, whole, uris))


def read_published(output: str | Path, columns: dict[str, list[str]] | None = None) -> dict[str, pa.Table] | None:
    """The currently published tables of `output` (a folder or an fsspec URL), whole or
    `columns` of each; None if there are none (or they do not have today's schema). For
    tools and tests: a run never reads the tables whole."""
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
