"""Publish tables so that readers only ever see a complete, validated set.

The output path (`data/tables`) is a symbolic link to a version folder beside it
(`data/.tables-versions/<run>/`), which holds the four table folders. A run writes its
tables into a new version folder (staging), and only after validation passed swaps the
link in one `rename` — atomic on POSIX file systems, so a reader sees the old set or
the new set, never a mix. A failed run deletes its staging folder; the link, and the
last good tables, stay as they were. The previous version is kept for readers that
were still reading it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROW_GROUP_SIZE = 128 * 1024  # rows; big enough for scans, small enough for row-group skipping
KEEP_VERSIONS = 2  # the current set and the one before it
# figures and dates are split by their article's published year (hive folders such as
# `figures/published_year=2017/`): analysts' queries are mostly by year
PARTITIONED = ("figures", "dates")
PARTITION = pa.schema([pa.field("published_year", pa.int32())])
UNKNOWN_YEAR = 0  # `published_year=0`: pandas cannot read a hive partition of nulls


def versions_dir(output: Path) -> Path:
    return output.parent / f".{output.name}-versions"


def stage_tables(tables: dict[str, pa.Table], output: Path) -> Path:
    """Write every table as `NAME/part-0.parquet` into a new, unpublished version folder."""
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    staging = versions_dir(output) / run
    years = _year_of_article(tables["articles"])
    for name, table in tables.items():
        folder = staging / name
        folder.mkdir(parents=True)
        if name in PARTITIONED and table.num_rows:
            year = pc.take(years[1], pc.index_in(table.column("article_id"), years[0]))
            _write_partitioned(table, year, folder)
        else:
            pq.write_table(table, folder / "part-0.parquet", row_group_size=ROW_GROUP_SIZE, compression="zstd")
    return staging


def _write_partitioned(table: pa.Table, year: pa.Array | pa.ChunkedArray, folder: Path) -> None:
    """`folder/published_year=Y/part-0.parquet` for each year, one row group at a time:
    a partitioning dataset writer would hold a copy of the whole table while it sorts."""
    for value in pc.unique(year).to_pylist():
        rows = pc.indices_nonzero(pc.equal(year, value))
        target = folder / f"{PARTITION.field(0).name}={value}"
        target.mkdir()
        with pq.ParquetWriter(target / "part-0.parquet", table.schema, compression="zstd") as writer:
            for start in range(0, len(rows), ROW_GROUP_SIZE):
                writer.write_table(table.take(rows[start : start + ROW_GROUP_SIZE]), row_group_size=ROW_GROUP_SIZE)


def _year_of_article(articles: pa.Table) -> tuple[pa.Array, pa.Array]:
    years = pc.fill_null(articles.column("published_year"), UNKNOWN_YEAR).combine_chunks()
    return articles.column("article_id").combine_chunks(), years


def _adopt_plain_folder(output: Path) -> None:
    """A real folder at the output path (from an older layout or made by hand) becomes a
    version, so the link can take its place; this one move is not atomic."""
    if not any(output.iterdir()):
        output.rmdir()
        return
    os.replace(output, versions_dir(output) / f"adopted-{uuid.uuid4().hex[:8]}")


def publish_staged(staging: Path, output: Path) -> list[Path]:
    """Point `output` at the staged version in one atomic rename; returns the table paths."""
    if output.exists() and not output.is_symlink():
        _adopt_plain_folder(output)
    link = output.parent / f".{output.name}-link-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(staging, output.parent), link, target_is_directory=True)
    os.replace(link, output)
    _prune(staging)
    return sorted(output / p.name for p in staging.iterdir() if p.is_dir())


def discard_staged(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def _prune(current: Path) -> None:
    """Delete all but the newest KEEP_VERSIONS versions (the current one always stays)."""
    versions = sorted((p for p in current.parent.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in versions[:-KEEP_VERSIONS]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
