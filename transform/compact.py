"""Compaction: merge the small parts a version has gathered into fewer, larger ones.

Every refresh adds a few small parts (the rows of its new documents) and shares the rest,
and a refresh that drops documents rewrites only the parts that held them: an output
refreshed every hour gathers thousands of small files, which readers open one by one.
Compaction, run on a schedule (daily, say), publishes a version whose small parts are
merged, table by table and partition by partition, into parts of about TARGET_BYTES;
the large parts are shared as they are. The rows do not change, so neither do the
tables a reader sees; like a refresh, it is one atomic publish under the output's lock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from transform.incremental import published_parts
from transform.publish import (
    close_staging,
    current_version,
    discard_staged,
    filesystem,
    open_staging,
    publish_staged,
    share_parts,
    write_part,
)

SMALL_BYTES = 8 * 2**20  # a part below this is merged with its neighbours
TARGET_BYTES = 64 * 2**20  # about the size of a merged part (bytes of the parts it merges)


@dataclass
class Compaction:
    parts_before: int
    parts_after: int
    merged: int  # small parts merged
    bytes_written: int
    version: str | None  # the published version, None when there was nothing to merge


def compact(output: str | Path, *, small_bytes: int = SMALL_BYTES, target_bytes: int = TARGET_BYTES) -> Compaction:
    """Publish a version of `output` with its small parts merged (the caller holds the
    output's lock: `lock_output`). Nothing is published when no folder has two small parts."""
    current, parts = published_parts(output)
    if current is None or parts is None:
        return Compaction(0, 0, 0, 0, None)
    folders: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for part in parts:
        folders[part["path"].rpartition("/")[0]].append(part)
    groups: list[list[dict[str, Any]]] = []
    shared: list[dict[str, Any]] = []
    for folder_parts in folders.values():
        small = [p for p in folder_parts if p.get("bytes", 0) < small_bytes and p.get("rows", 0)]
        if len(small) < 2:
            shared += folder_parts
            continue
        shared += [p for p in folder_parts if p not in small]
        group: list[dict[str, Any]] = []
        for part in sorted(small, key=lambda p: (str(p.get("stamp")), p["path"])):
            group.append(part)
            if sum(p["bytes"] for p in group) >= target_bytes:
                groups.append(group)
                group = []
        if group:
            groups.append(group)
    shared += [g[0] for g in groups if len(g) == 1]  # a small part alone is left as it is
    groups = [g for g in groups if len(g) > 1]
    if not groups:
        return Compaction(len(parts), len(parts), 0, 0, None)
    staging = open_staging(output)
    try:
        entries = share_parts(shared, current, staging)
        fs, root = filesystem(current)
        for group in groups:
            tables = [pq.read_table(f"{root}/{p['path']}", filesystem=fs) for p in group]
            merged = pa.concat_tables(tables, promote_options="none")
            entry = write_part(merged, staging, group[0]["path"].rpartition("/")[0], None, "compacted")
            entry.pop("stamp", None)  # rows of several extraction times: a refresh reads its keys
            entry["stamps"] = sorted({s for p in group for s in _stamps(p) if s is not None})
            entries.append(entry)
        close_staging(staging, entries)
        publish_staged(staging, output)
    except BaseException:
        discard_staged(staging)
        raise
    written = sum(e["bytes"] for e in entries if e["written"])
    merged_count = sum(len(g) for g in groups)
    return Compaction(len(parts), len(entries), merged_count, written, current_version(output))


def _stamps(part: dict[str, Any]) -> list[Any]:
    if "stamps" in part:
        return list(part["stamps"])
    return [part.get("stamp")]
