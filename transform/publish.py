"""Publish tables so that readers only ever see a complete, validated set.

A run writes its tables into a new version folder beside the output (staging:
`data/.tables-versions/<run>/`, which holds the four table folders), and only after
validation passed makes that version the current one, in one atomic step:

- a local output (`data/tables`) is a symbolic link to the current version, swapped
  with one `rename`, atomic on POSIX file systems;
- an fsspec URL (`s3://bucket/solieu/tables`) has no rename: its `_CURRENT` object
  names the current version and is replaced in one PUT, atomic per object on S3.
  Readers resolve it with `current_version(url)`.

Either way a reader sees the old set or the new set, never a mix. A failed run deletes
its staging folder; the last good tables stay as they were. The previous version is
kept for readers that were still reading it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

ROW_GROUP_SIZE = 128 * 1024  # rows; big enough for scans, small enough for row-group skipping
KEEP_VERSIONS = 2  # the current set and the one before it
# figures and dates are split by their article's published year (hive folders such as
# `figures/published_year=2017/`): analysts' queries are mostly by year
PARTITIONED = ("figures", "dates")
PARTITION = pa.schema([pa.field("published_year", pa.int32())])
UNKNOWN_YEAR = 0  # `published_year=0`: pandas cannot read a hive partition of nulls


POINTER = "_CURRENT"  # in a remote output: the name of the current version


def is_remote(output: str | Path) -> bool:
    """Whether `output` is an fsspec URL (s3://, gs://, memory://) rather than a local path."""
    text = str(output)
    return "://" in text and not text.startswith("file://")


def filesystem(output: str | Path) -> tuple[fsspec.AbstractFileSystem, str]:
    """The file system of `output` and the path within it."""
    if is_remote(output):
        fs, path = fsspec.core.url_to_fs(str(output))
        return fs, path.rstrip("/")
    return LocalFileSystem(), str(Path(str(output).removeprefix("file://")).absolute())


def versions_dir(output: Path) -> Path:
    return output.parent / f".{output.name}-versions"


def _versions_path(fs: fsspec.AbstractFileSystem, path: str) -> str:
    parent, _, name = path.rpartition("/")
    return f"{parent}/.{name}-versions"


def _url(fs: fsspec.AbstractFileSystem, path: str) -> str:
    return fs.unstrip_protocol(path)


def current_version(output: str | Path) -> str | None:
    """Where the current tables are (a folder or URL holding articles/, figures/, ...),
    or None before the first publish. For a local output this is the output itself."""
    if not is_remote(output):
        return str(output) if Path(output, "articles").exists() else None
    fs, path = filesystem(output)
    pointer = f"{path}/{POINTER}"
    if not fs.exists(pointer):
        return None
    return _url(fs, f"{_versions_path(fs, path)}/{fs.cat_file(pointer).decode().strip()}")


def stage_tables(tables: dict[str, pa.Table], output: str | Path) -> str | Path:
    """Write every table as `NAME/part-0.parquet` into a new, unpublished version folder
    (a Path for a local output, a URL for a remote one)."""
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:8]
    fs, path = filesystem(output)
    staging = f"{_versions_path(fs, path)}/{run}"
    years = _year_of_article(tables["articles"])
    for name, table in tables.items():
        folder = f"{staging}/{name}"
        fs.makedirs(folder, exist_ok=True)
        if name in PARTITIONED and table.num_rows:
            year = pc.take(years[1], pc.index_in(table.column("article_id"), years[0]))
            _write_partitioned(table, year, fs, folder)
        else:
            pq.write_table(
                table,
                f"{folder}/part-0.parquet",
                row_group_size=ROW_GROUP_SIZE,
                compression="zstd",
                filesystem=fs,
            )
    return _url(fs, staging) if is_remote(output) else Path(staging)


def _write_partitioned(
    table: pa.Table, year: pa.Array | pa.ChunkedArray, fs: fsspec.AbstractFileSystem, folder: str
) -> None:
    """`folder/published_year=Y/part-0.parquet` for each year, one row group at a time:
    a partitioning dataset writer would hold a copy of the whole table while it sorts."""
    for value in pc.unique(year).to_pylist():
        rows = pc.indices_nonzero(pc.equal(year, value))
        target = f"{folder}/{PARTITION.field(0).name}={value}"
        fs.makedirs(target, exist_ok=True)
        with pq.ParquetWriter(f"{target}/part-0.parquet", table.schema, compression="zstd", filesystem=fs) as writer:
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


def publish_staged(staging: str | Path, output: str | Path) -> list[str]:
    """Make the staged version current in one atomic step; returns the table locations."""
    if is_remote(output):
        fs, path = filesystem(output)
        _, staged = fsspec.core.url_to_fs(str(staging))
        fs.pipe_file(f"{path}/{POINTER}", staged.rstrip("/").rpartition("/")[2].encode())
        _prune_remote(fs, _versions_path(fs, path), staged.rstrip("/"))
        return [_url(fs, p) for p in sorted(fs.ls(staged, detail=False))]
    output, staging = Path(output), Path(staging)
    if output.exists() and not output.is_symlink():
        _adopt_plain_folder(output)
    link = output.parent / f".{output.name}-link-{uuid.uuid4().hex[:8]}"
    os.symlink(os.path.relpath(staging, output.parent), link, target_is_directory=True)
    os.replace(link, output)
    _prune(staging)
    return sorted(str(output / p.name) for p in staging.iterdir() if p.is_dir())


def discard_staged(staging: str | Path) -> None:
    if is_remote(staging):
        fs, path = fsspec.core.url_to_fs(str(staging))
        if fs.exists(path):
            fs.rm(path, recursive=True)
        return
    shutil.rmtree(staging, ignore_errors=True)


def _prune(current: Path) -> None:
    """Delete all but the newest KEEP_VERSIONS versions (the current one always stays)."""
    versions = sorted((p for p in current.parent.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in versions[:-KEEP_VERSIONS]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def _prune_remote(fs: fsspec.AbstractFileSystem, versions: str, current: str) -> None:
    """As `_prune`; run names start with their UTC time, so names sort by age."""
    names = sorted(p.rstrip("/") for p in fs.ls(versions, detail=False))
    for old in names[:-KEEP_VERSIONS]:
        if old.rpartition("/")[2] != current.rpartition("/")[2]:
            fs.rm(old, recursive=True)
