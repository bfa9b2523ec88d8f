"""Publish tables so that readers only ever see a complete, validated set.

A run writes its tables into a new version folder beside the output (staging:
`data/.tables-versions/<run>.staging/`, which holds the four table folders), and only
after validation passed makes that version the current one, in one atomic step:

- a local output (`data/tables`) is a symbolic link to the current version, swapped
  with one `rename`, atomic on POSIX file systems;
- an fsspec URL (`s3://bucket/solieu/tables`) has no rename: its `_CURRENT` object
  names the current version and is replaced in one PUT, atomic per object on S3.
  Readers resolve it with `current_version(url)`.

Either way a reader sees the old set or the new set, never a mix. A failed run deletes
its staging folder; the last good tables stay as they were. The previous version is
kept for readers that were still reading it.

A run that is killed cannot delete what it staged, so what a version folder is must be
provable from the folder itself:

- a staging folder starts with `_OWNER.json` (run id, host, pid and the process's start
  time, row counts). Locally it is named `<run>.staging` and renamed to `<run>` when it
  is published; remotely (no rename) `_COMPLETE.json` is written into it last, when it
  is published. Only a published ("complete") version can ever be current.
- pruning, after each publish, keeps the current version and the newest complete one
  before it (KEEP_VERSIONS in all), deletes older complete versions, and deletes an
  incomplete one only when it is abandoned: its owner process is gone on this host
  (same pid and process start time, so a reused pid is not mistaken for it), or it is
  older than ABANDONED_AFTER (an owner on another host cannot be asked). Versions are
  ordered by their run id, which starts with its UTC time, never by modification time.
- publishing and pruning happen under a publish lock (`flock` on the local versions
  folder; a lock object beside a remote one), so two publishers never interleave: a
  version is marked complete and made current in one critical section, and no other
  publisher's pruning can delete it in between.

A whole run also holds a lock on its output (`lock_output`), so that two runs never
write one output at the same time: locally `flock` on `data/.tables.lock` (the kernel
releases it when the process dies, however it dies), remotely a lock object created
only if absent (`If-None-Match: *` on S3), with an expiry its holder keeps renewing.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem
from fsspec.implementations.memory import MemoryFileSystem

ROW_GROUP_SIZE = 128 * 1024  # rows; big enough for scans, small enough for row-group skipping
KEEP_VERSIONS = 2  # the current set and the one before it
# figures and dates are split by their article's published year (hive folders such as
# `figures/published_year=2017/`): analysts' queries are mostly by year
PARTITIONED = ("figures", "dates")
PARTITION = pa.schema([pa.field("published_year", pa.int32())])
UNKNOWN_YEAR = 0  # `published_year=0`: pandas cannot read a hive partition of nulls


POINTER = "_CURRENT"  # in a remote output: the name of the current version
OWNER = "_OWNER.json"  # written first into a staging folder: whose it is
COMPLETE = "_COMPLETE.json"  # written last into a remote version, when it is published
PARTS = "_PARTS.json"  # in every version: its parts, their bytes, and which this run wrote
# what a table's rows are grouped into parts by: rows carried over keep theirs
PART_BY = ("extracted_at", "seen_at")
_PART_PATH = re.compile(r"[a-z_]+(?:/[a-z_]+=-?\d+)?/part-[0-9a-f]{24}\.parquet")
STAGING_SUFFIX = ".staging"  # a local version folder not published (yet)
RUN_ID_TIME = "%Y%m%dT%H%M%S%fZ"  # run ids start with their UTC time, so they sort by age
# An incomplete version whose owner cannot be asked (another host) is abandoned after
# this long; a run of the whole benchmark corpus takes about a minute.
ABANDONED_AFTER = timedelta(days=2)
PUBLISH_LOCK_WAIT = 120.0  # seconds a publisher waits for another one's critical section
LOCK_TTL = 120.0  # seconds a remote lock object stays valid without its holder's renewal
LOCK_RENEW_EVERY = 30.0  # seconds between a remote lock holder's renewals
LOCK_POLL = 0.2  # seconds between attempts while waiting for a lock
# A run waits at least this long for a local lock: `lock_holder` holds it shared for an instant
LOCK_GRACE = 0.5


class BadOutput(ValueError):
    """`--output` cannot hold the tables (an existing file, say); found before anything is written."""


class OutputLocked(RuntimeError):
    """Another run holds the output's lock."""

    def __init__(self, output: str, holder: dict[str, Any] | None, waited: float) -> None:
        self.output, self.holder, self.waited = output, holder, waited
        super().__init__(f"{output} is being written by another run ({describe_holder(holder)})")


def describe_holder(holder: dict[str, Any] | None) -> str:
    """`pid 123 on host since 2026-…Z: solieu run …`, or why it is unknown."""
    if not holder:
        return "its holder did not record itself yet"
    text = f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('since')}"
    return f"{text}: {holder['command']}" if holder.get("command") else text


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


def new_run_id(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime(RUN_ID_TIME) + "-" + uuid.uuid4().hex[:8]


def _run_time(name: str) -> datetime | None:
    """When the run that made version `name` started (None for names of other layouts)."""
    try:
        return datetime.strptime(name[:22], RUN_ID_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None


def open_staging(output: str | Path) -> str | Path:
    """A new, unpublished version folder beside `output` (a Path for a local output, a
    URL for a remote one), its owner written first, so that a run killed halfway leaves
    a folder pruning can prove abandoned. Batches write their parts into it
    (`write_parts`), the run links the parts it carries over (`share_parts`), and
    `close_staging` lists them in `_PARTS.json`."""
    run = new_run_id()
    fs, path = filesystem(output)
    staging = f"{_versions_path(fs, path)}/{run}" + ("" if is_remote(output) else STAGING_SUFFIX)
    fs.makedirs(staging, exist_ok=True)
    fs.pipe_file(f"{staging}/{OWNER}", json.dumps({**_holder(), "run": run}).encode())
    return _url(fs, staging) if is_remote(output) else Path(staging)


def write_parts(
    tables: dict[str, pa.Table],
    staging: str | Path,
    previous: dict[str, str] | None = None,
    *,
    articles: pa.Table | None = None,
    salt: str = "",
) -> list[dict[str, Any]]:
    """Write `tables` (the rows of one batch, or any set whose figures' and dates' articles
    are among its articles: `articles`, else its own `articles` table) into `staging` as
    parts named by their content (`NAME/part-<digest>.parquet`, figures and dates under
    `published_year=Y/`), one part per extraction time. A part that `previous` (the
    current version's, by path) already holds is linked or copied instead of written.
    Returns the parts' entries for `_PARTS.json`: path, table, rows, bytes, whether
    written, extraction time. A `salt` (a batch's name) goes into the digests: two
    batches of the same rows (one article from two sources) write two parts, never
    one file at once."""
    fs, path = filesystem(staging)
    previous = previous or {}
    parts: list[dict[str, Any]] = []
    articles = tables.get("articles") if articles is None else articles
    years = _year_of_article(articles) if articles is not None else None
    for name, table in tables.items():
        if name in PARTITIONED and table.num_rows and years is not None:
            year = pc.take(years[1], pc.index_in(table.column("article_id"), years[0]))
            key = PARTITION.field(0).name
            groups = [(f"{key}={value}", pc.equal(year, value)) for value in pc.unique(year).to_pylist()]
        else:
            groups = [("", None)]
        stamps = _stamps(table, articles)
        for sub, in_group in groups:
            for rows, stamp in _row_groups(table, in_group, stamps):
                folder = f"{name}/{sub}".rstrip("/")
                parts.append(_stage_part(table, rows, fs, path, folder, previous, stamp, salt))
    return parts


def write_part(table: pa.Table, staging: str | Path, folder: str, stamp: str | None, salt: str) -> dict[str, Any]:
    """`table` as one part in `staging/folder/` (a part carried over with some rows left out)."""
    fs, path = filesystem(staging)
    return _stage_part(table, None, fs, path, folder, {}, stamp, salt)


def without_articles(parts: list[dict[str, Any]], staging: str | Path, ids: set[str]) -> list[dict[str, Any]]:
    """The staged `parts` with the rows of articles `ids` left out: a part holding any is
    written again without them (its old file removed), the others are kept as they are."""
    fs, path = filesystem(staging)
    kept = []
    for part in parts:
        target = f"{path}/{part['path']}"
        if part["table"] not in ("articles", "figures", "dates", "fact_mentions"):
            kept.append(part)
            continue
        table = pq.read_table(target, filesystem=fs)
        keep = pc.invert(pc.is_in(table["article_id"], value_set=pa.array(sorted(ids), pa.string())))
        if pc.all(keep).as_py():
            kept.append(part)
            continue
        fs.rm(target)
        if pc.any(keep).as_py():
            folder = part["path"].rpartition("/")[0]
            kept.append(_stage_part(table.filter(keep), None, fs, path, folder, {}, part.get("stamp"), part["path"]))
    return kept


def read_table(
    version: str | Path, name: str, columns: list[str], where: Any | None = None, schema: pa.Schema | None = None
) -> pa.Table:
    """`columns` of table `name` of a version (staged or published), the rows `where` (a
    pyarrow.dataset expression) holds: a projection, so a run never holds a whole table."""
    import pyarrow.dataset as ds  # it imports pandas: not at module level, which workers import

    fs, root = filesystem(version)
    dataset = ds.dataset(f"{root}/{name}", format="parquet", partitioning="hive", filesystem=fs, schema=schema)
    return dataset.to_table(columns=columns, filter=where)


def empty_parts(
    staging: str | Path, schemas: dict[str, pa.Schema], previous: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """One empty part for each table of `schemas`: readers of a table with no rows still
    get its schema."""
    fs, path = filesystem(staging)
    return [_stage_part(s.empty_table(), None, fs, path, name, previous or {}, None) for name, s in schemas.items()]


def share_parts(parts: list[dict[str, Any]], current: str | Path, staging: str | Path) -> list[dict[str, Any]]:
    """Put parts of the `current` version (entries of its `_PARTS.json`) into `staging`
    without writing their bytes: hard links locally, copies within the store remotely
    (written anew only where that fails). Returns their entries for the staged version."""
    fs, root = filesystem(current)
    _, path = filesystem(staging)
    local = isinstance(fs, LocalFileSystem)
    shared = []
    for part in parts:
        source = str(Path(root, part["path"]).resolve()) if local else f"{root}/{part['path']}"
        target = f"{path}/{part['path']}"
        fs.makedirs(target.rpartition("/")[0], exist_ok=True)
        written = not _share(fs, source, target)
        if written:
            fs.put_file(source, target) if local else fs.pipe_file(target, fs.cat_file(source))
        shared.append({**part, "written": written})
    return shared


def close_staging(staging: str | Path, parts: list[dict[str, Any]]) -> None:
    """List the staged version's parts in its `_PARTS.json` (the last file staged)."""
    fs, path = filesystem(staging)
    listed = sorted(parts, key=lambda p: p["path"])
    fs.pipe_file(f"{path}/{PARTS}", json.dumps(listed).encode())


def stage_tables(tables: dict[str, pa.Table], output: str | Path) -> str | Path:
    """Write every table into a new, unpublished version (`open_staging`) in one go, its
    parts shared with the current version where they hold the same rows: rows are
    grouped into parts by when they were extracted, so a set that carries rows over finds
    most of its parts already there. Removes what it wrote if it is interrupted."""
    staged = open_staging(output)
    try:
        previous = current_parts(output)
        parts = write_parts(tables, staged, previous)
        staged_tables = {part["table"] for part in parts}
        parts += empty_parts(staged, {n: t.schema for n, t in tables.items() if n not in staged_tables}, previous)
        close_staging(staged, parts)
    except BaseException:  # an error, or an interrupt: what was written is no version
        discard_staged(staged)
        raise
    return staged


def _stamps(table: pa.Table, articles: pa.Table | None) -> pa.ChunkedArray | pa.Array | None:
    """When each row of `table` was extracted: its own column, or its article's (figures,
    dates); None for a table that has neither (the metrics, rebuilt on every run)."""
    stamp = next((c for c in PART_BY if c in table.column_names), None)
    if stamp is not None:
        return table.column(stamp)
    if articles is not None and "article_id" in table.column_names and "extracted_at" in articles.column_names:
        by_article = pc.index_in(table.column("article_id"), articles.column("article_id").combine_chunks())
        return pc.take(articles.column("extracted_at").combine_chunks(), by_article)
    return None


def _row_groups(
    table: pa.Table, in_group: pa.ChunkedArray | pa.Array | None, stamps: pa.ChunkedArray | pa.Array | None
) -> Iterator[tuple[pa.Array | None, str | None]]:
    """The row indices of each part of `table` (within `in_group` when given) and its
    extraction time: one part per time (`stamps`), in table order; without stamps, one
    part (None: all rows)."""
    if stamps is None:
        yield (None if in_group is None else pc.indices_nonzero(in_group)), None
        return
    for value in pc.unique(stamps if in_group is None else pc.filter(stamps, in_group)).to_pylist():
        mask = pc.equal(stamps, pa.scalar(value, stamps.type))
        rows = pc.indices_nonzero(mask if in_group is None else pc.and_(mask, in_group))
        yield rows, (value.isoformat() if value is not None else None)


def _stage_part(
    table: pa.Table,
    rows: pa.Array | None,
    fs: fsspec.AbstractFileSystem,
    staging: str,
    folder: str,
    previous: dict[str, str],
    stamp: str | None,
    salt: str = "",
) -> dict[str, Any]:
    """One part into `staging/folder/`, named by the digest of its rows: linked or copied
    from the current version when it holds the same part, written otherwise."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(salt.encode())
    digest.update(table.schema.serialize().to_pybytes())
    count = table.num_rows if rows is None else len(rows)
    for chunk in _chunks(table, rows):
        digest.update(_ipc_bytes(chunk))
    relative = f"{folder}/part-{digest.hexdigest()}.parquet"
    target = f"{staging}/{relative}"
    fs.makedirs(f"{staging}/{folder}", exist_ok=True)
    entry = {"path": relative, "table": folder.partition("/")[0], "rows": count, "stamp": stamp}
    if relative in previous and _share(fs, previous[relative], target):
        return {**entry, "bytes": fs.size(target), "written": False}
    with pq.ParquetWriter(target, table.schema, compression="zstd", filesystem=fs) as writer:
        for chunk in _chunks(table, rows):  # a row group at a time: no copy of the whole part
            writer.write_table(chunk, row_group_size=ROW_GROUP_SIZE)
    return {**entry, "bytes": fs.size(target), "written": True}


def _chunks(table: pa.Table, rows: pa.Array | None) -> Iterator[pa.Table]:
    """The part's rows (all of `table` when `rows` is None), ROW_GROUP_SIZE at a time."""
    count = table.num_rows if rows is None else len(rows)
    for start in range(0, count, ROW_GROUP_SIZE):
        yield table.slice(start, ROW_GROUP_SIZE) if rows is None else table.take(rows[start : start + ROW_GROUP_SIZE])


def _ipc_bytes(chunk: pa.Table) -> bytes:
    """The rows' Arrow IPC stream, whatever their chunking: what a part's digest is of."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, chunk.schema) as writer:
        writer.write_table(chunk.combine_chunks())
    return sink.getvalue().to_pybytes()


def _share(fs: fsspec.AbstractFileSystem, source: str, target: str) -> bool:
    """Put the current version's copy of a part at `target` without writing its bytes:
    a hard link locally (parts are never modified, so versions may share them), a copy
    within the store remotely. False when that fails: the part is then written."""
    try:
        if isinstance(fs, LocalFileSystem):
            os.link(source, target)
        else:
            fs.copy(source, target)
        return True
    except (OSError, ValueError):
        return False


def current_parts(output: str | Path) -> dict[str, str]:
    """Each part of the current version by its path within the version: where it is."""
    current = current_version(output)
    if current is None:
        return {}
    fs, root = filesystem(current)
    try:
        listed = json.loads(fs.cat_file(f"{root}/{PARTS}"))
    except (FileNotFoundError, ValueError, OSError):
        return {}  # a version from before parts had digests: every part is written anew
    if not isinstance(listed, list):
        return {}
    found = {}
    for part in listed:
        relative = part.get("path") if isinstance(part, dict) else None
        if isinstance(relative, str) and _PART_PATH.fullmatch(relative):
            local = isinstance(fs, LocalFileSystem)
            found[relative] = str(Path(root, relative).resolve()) if local else f"{root}/{relative}"
    return found


def parts_written(version: str | Path) -> dict[str, int]:
    """What the version's parts hold and what its run wrote: bytes and parts, in all and written."""
    fs, root = filesystem(version)
    try:
        listed = json.loads(fs.cat_file(f"{root}/{PARTS}"))
    except (FileNotFoundError, ValueError, OSError):
        return {}
    return {
        "parts": len(listed),
        "parts_written": sum(1 for p in listed if p["written"]),
        "bytes": sum(p["bytes"] for p in listed),
        "bytes_written": sum(p["bytes"] for p in listed if p["written"]),
    }


def _year_of_article(articles: pa.Table) -> tuple[pa.Array, pa.Array]:
    years = pc.fill_null(articles.column("published_year"), UNKNOWN_YEAR).combine_chunks()
    return articles.column("article_id").combine_chunks(), years


def _adopt_plain_folder(output: Path) -> None:
    """A real folder at the output path (from an older layout or made by hand) becomes a
    version, so the link can take its place; this one move is not atomic. It is named
    for its modification time, so that it sorts as the oldest complete version."""
    if not any(output.iterdir()):
        output.rmdir()
        return
    made = datetime.fromtimestamp(output.stat().st_mtime, UTC)
    os.replace(output, versions_dir(output) / f"{new_run_id(made)}-adopted")


def publish_staged(staging: str | Path, output: str | Path) -> list[str]:
    """Make the staged version current in one atomic step; returns the table locations."""
    if is_remote(output):
        fs, path = filesystem(output)
        staged = fsspec.core.url_to_fs(str(staging))[1].rstrip("/")
        name = staged.rpartition("/")[2]
        versions = _versions_path(fs, path)
        with _remote_lock(fs, f"{versions}.lock", PUBLISH_LOCK_WAIT, str(output), LOCK_TTL):
            if not fs.exists(f"{staged}/{OWNER}"):
                raise RuntimeError(f"{_url(fs, staged)}: the staged version is gone; nothing was published")
            completed = {"run": name, "completed": _now_text()}
            fs.pipe_file(f"{staged}/{COMPLETE}", json.dumps(completed).encode())
            fs.pipe_file(f"{path}/{POINTER}", name.encode())
            _prune_remote(fs, versions, name)
        return [_url(fs, p.rstrip("/")) for p in sorted(fs.ls(staged, detail=False)) if fs.isdir(p)]
    output, staging = Path(output), Path(staging)
    versions = staging.parent
    with _flocked(versions, PUBLISH_LOCK_WAIT, str(output)):
        if not staging.is_dir():
            raise RuntimeError(f"{staging}: the staged version is gone; nothing was published")
        if output.exists() and not output.is_symlink():
            _adopt_plain_folder(output)
        version = versions / staging.name.removesuffix(STAGING_SUFFIX)
        if version != staging:
            os.rename(staging, version)  # complete from here on: the name says so
            (version / OWNER).unlink(missing_ok=True)
        link = output.parent / f".{output.name}-link-{uuid.uuid4().hex[:8]}"
        os.symlink(os.path.relpath(version, output.parent), link, target_is_directory=True)
        os.replace(link, output)
        _prune(versions, version.name)
    return sorted(str(output / p.name) for p in version.iterdir() if p.is_dir())


def discard_staged(staging: str | Path) -> None:
    if is_remote(staging):
        fs, path = fsspec.core.url_to_fs(str(staging))
        if fs.exists(path):
            fs.rm(path, recursive=True)
        return
    shutil.rmtree(staging, ignore_errors=True)


def _prune(versions: Path, current: str) -> None:
    """Delete what `versions` holds beyond the current version and the newest complete
    one before it: older complete versions and abandoned staging folders. Called within
    the publish lock. The output's link is read again: only it says what is current."""
    complete, staging = [], []
    for entry in versions.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            (staging if entry.name.endswith(STAGING_SUFFIX) else complete).append(entry.name)
    for name in _old_versions(complete, current):
        shutil.rmtree(versions / name, ignore_errors=True)
    for name in staging:
        if _abandoned(name, _read_owner(versions / name / OWNER)):
            shutil.rmtree(versions / name, ignore_errors=True)


def _prune_remote(fs: fsspec.AbstractFileSystem, versions: str, current: str) -> None:
    """As `_prune`. A version with an owner but no `_COMPLETE.json` is a staging one; one
    with neither is from before these markers, and counts as complete."""
    complete, staging = [], []
    for entry in fs.ls(versions, detail=False):
        name = entry.rstrip("/").rpartition("/")[2]
        if not fs.isdir(entry):
            continue
        if fs.exists(f"{versions}/{name}/{COMPLETE}") or not fs.exists(f"{versions}/{name}/{OWNER}"):
            complete.append(name)
        else:
            staging.append(name)
    for name in _old_versions(complete, current):
        fs.rm(f"{versions}/{name}", recursive=True)
    for name in staging:
        try:
            owner = json.loads(fs.cat_file(f"{versions}/{name}/{OWNER}"))
        except (FileNotFoundError, ValueError):
            owner = None
        if _abandoned(name, owner if isinstance(owner, dict) else None):
            fs.rm(f"{versions}/{name}", recursive=True)


def _old_versions(complete: list[str], current: str) -> list[str]:
    """The complete versions to delete: all but the current one and the newest others,
    KEEP_VERSIONS in all. Names sort by run id, that is by the time their run started."""
    others = sorted((name for name in complete if name != current), reverse=True)
    return others[KEEP_VERSIONS - 1 :]


def _abandoned(name: str, owner: dict[str, Any] | None) -> bool:
    """Whether an incomplete version can be deleted: its owner is provably gone, or it is
    older than ABANDONED_AFTER. A version whose age is unknown is kept."""
    if owner is not None and owner.get("host") == socket.gethostname():
        alive = _process_alive(owner.get("pid"), owner.get("process_start"))
        if alive is not None:
            return not alive
    started = _run_time(name)
    return started is not None and datetime.now(UTC) - started > ABANDONED_AFTER


def _read_owner(path: Path) -> dict[str, Any] | None:
    try:
        owner = json.loads(path.read_bytes()[:65536])
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) else None


# --- who holds what ---------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot, from /proc), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # field 22; the name before ")" may hold spaces


def _process_alive(pid: object, process_start: object) -> bool | None:
    """Whether process `pid` (started at `process_start`) still runs on this host; None
    when that cannot be told."""
    if not isinstance(pid, int) or pid <= 0:
        return None
    if Path("/proc/self/stat").exists():
        now = _process_start(pid)
        return now is not None and (process_start is None or now == process_start)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _command_line() -> str:
    """This process's command line, without credentials (`//user:pass@host`), shortened."""
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else ""
    return re.sub(r"//[^/@\s]*@", "//", command)[:300]


def _holder() -> dict[str, Any]:
    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "pid": pid,
        "process_start": _process_start(pid),
        "since": _now_text(),
        "command": _command_line(),
    }


def check_output(output: str | Path) -> None:
    """Raise BadOutput if `output` cannot be a tables location: it, or a parent folder,
    is an existing file. Nothing is written."""
    if is_remote(output):
        fs, path = filesystem(output)
        if fs.isfile(path):
            raise BadOutput(f"--output {output} is an existing file; name a folder (it will hold the tables)")
        return
    path = Path(str(output).removeprefix("file://")).absolute()
    if path.is_symlink() and not path.is_dir():
        if path.exists():
            raise BadOutput(f"--output {output} is a link to a file; name a folder (it will hold the tables)")
        return  # a dangling link: publishing replaces it
    if path.exists() and not path.is_dir():
        raise BadOutput(f"--output {output} is an existing file; name a folder (it will hold the tables)")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise BadOutput(f"--output {output}: {parent} is a file, not a folder")
            break


def lock_path(output: str | Path) -> str:
    """Where the output's run lock is: `data/.tables.lock` beside `data/tables`."""
    parent, _, name = filesystem(output)[1].rpartition("/")
    return f"{parent}/.{name}.lock"


def hash_manifest_path(output: str | Path) -> str:
    """Where discovery's hash manifest is kept (`data/.tables-hashes.parquet` beside
    `data/tables`; ingest/local.py `HashManifest`): with the output, as the lock is, so a
    run for another output never reads it."""
    parent, _, name = filesystem(output)[1].rpartition("/")
    return f"{parent}/.{name}-hashes.parquet"


def read_hash_manifest(output: str | Path) -> bytes | None:
    """The saved hash manifest's bytes, or None when there is none (or it cannot be read)."""
    fs = filesystem(output)[0]
    try:
        return fs.cat_file(hash_manifest_path(output))
    except (FileNotFoundError, OSError):
        return None


def windows_path(output: str | Path) -> str:
    """Where the publication windows inferred for the output's sources are kept
    (`data/.tables-windows.json`, beside the hash manifest)."""
    return hash_manifest_path(output).removesuffix("-hashes.parquet") + "-windows.json"


def read_windows(output: str | Path) -> dict[str, Any]:
    """The saved windows by source location (transform/windows.py `window_key`), or {}."""
    fs = filesystem(output)[0]
    try:
        found = json.loads(fs.cat_file(windows_path(output)))
    except (FileNotFoundError, OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write_windows(output: str | Path, windows: dict[str, Any]) -> None:
    _replace_beside(output, windows_path(output), json.dumps(windows, sort_keys=True).encode())


def write_hash_manifest(output: str | Path, data: bytes) -> None:
    """Replace the hash manifest in one step (a rename locally, one PUT remotely): a
    killed run leaves the old one or the new one, never half of one."""
    _replace_beside(output, hash_manifest_path(output), data)


def _replace_beside(output: str | Path, path: str, data: bytes) -> None:
    fs, _ = filesystem(output)
    if is_remote(output):
        fs.pipe_file(path, data)
        return
    partial = f"{path}.{uuid.uuid4().hex[:8]}.partial"
    try:
        with open(partial, "wb") as out:
            out.write(data)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@contextmanager
def lock_output(output: str | Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the output's run lock within; waits up to `wait` seconds for another run to
    release it, then raises OutputLocked naming the holder."""
    if is_remote(output):
        fs = filesystem(output)[0]
        with _remote_lock(fs, lock_path(output), wait, str(output), LOCK_TTL):
            yield
        return
    lock_file = Path(lock_path(output))
    with _flocked(lock_file, wait, str(output), record=True):
        yield


def lock_holder(output: str | Path) -> tuple[bool, dict[str, Any] | None]:
    """Whether another run holds the output's run lock now, and who (as it recorded
    itself). Only looks: it creates nothing, and holds a local lock (shared) for an instant."""
    if is_remote(output):
        fs = filesystem(output)[0]
        holder = _read_lock_object(fs, lock_path(output))
        return (holder is not None and float(holder.get("expires", 0)) >= time.time()), holder
    path = Path(lock_path(output))
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # no lock file (no run ever wrote here), or no such folder
        return False, None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as busy:
        if busy.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        return True, _read_owner(path)
    finally:
        os.close(fd)
    return False, None


@contextmanager
def _flocked(path: Path, wait: float, output: str, *, record: bool = False) -> Iterator[None]:
    """An exclusive `flock` on `path` (a lock file, created if needed, or a folder) within.
    The kernel drops it when the process ends, so a killed holder never leaves it held.
    With `record`, the holder writes itself into the file for whoever waits."""
    fd = os.open(path, os.O_RDONLY) if path.is_dir() else os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(wait, LOCK_GRACE)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as busy:
                if busy.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = _read_owner(path) if path.is_file() else None
                    raise OutputLocked(output, holder, wait) from None
                time.sleep(LOCK_POLL)
        if record:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(_holder()).encode(), 0)
        try:
            yield
        finally:
            if record:
                os.ftruncate(fd, 0)  # released: nobody holds it
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


# The memory file system is this process's dictionary: a process-wide lock makes its
# create-if-absent atomic, as S3's `If-None-Match: *` is for s3fs.
_MEMORY_CREATE = threading.Lock()


def _create_if_absent(fs: fsspec.AbstractFileSystem, path: str, data: bytes) -> bool:
    """Write `data` to `path` only if nothing is there; whether it was written. Atomic on
    S3 (s3fs sends `If-None-Match: *`) and memory://; on stores without conditional
    writes fsspec falls back to a check then a write, which is not."""
    try:
        if isinstance(fs, MemoryFileSystem):
            with _MEMORY_CREATE:
                fs.pipe_file(path, data, mode="create")
        else:
            fs.pipe_file(path, data, mode="create")
    except FileExistsError:
        return False
    except OSError as error:  # s3fs reports a failed precondition as PermissionError/OSError 412
        if "412" in str(error) or "PreconditionFailed" in str(error):
            return False
        raise
    return True


def _read_lock_object(fs: fsspec.AbstractFileSystem, path: str) -> dict[str, Any] | None:
    try:
        holder = json.loads(fs.cat_file(path)[:65536])
    except (FileNotFoundError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


@contextmanager
def _remote_lock(fs: fsspec.AbstractFileSystem, path: str, wait: float, output: str, ttl: float) -> Iterator[None]:
    """A lock object at `path`, created only if absent, holding its holder and an expiry
    the holder renews every LOCK_RENEW_EVERY seconds. A lock past its expiry (its holder
    died) is broken. Renewing and breaking read then write: on S3 they would need
    `If-Match` on the object's ETag to be exact; the window is one round trip."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + max(wait, 0.0)

    def content() -> bytes:
        return json.dumps({**_holder(), "token": token, "expires": time.time() + ttl}).encode()

    holder: dict[str, Any] | None = None
    while not _create_if_absent(fs, path, content()):
        holder = _read_lock_object(fs, path)
        if holder is not None and float(holder.get("expires", 0)) < time.time():
            if _read_lock_object(fs, path) == holder:  # still the expired one: break it
                fs.rm_file(path)
            continue
        if time.monotonic() >= deadline:
            raise OutputLocked(output, holder, wait)
        time.sleep(LOCK_POLL)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(min(LOCK_RENEW_EVERY, ttl / 4)):
            current = _read_lock_object(fs, path)
            if current is None or current.get("token") != token:
                return  # broken by another run after an expiry: nothing of ours to renew
            fs.pipe_file(path, content())

    renewer = threading.Thread(target=renew, name="solieu-lock-renewal", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=5)
        current = _read_lock_object(fs, path)
        if current is not None and current.get("token") == token:
            fs.rm_file(path)
