"""The `refresh` flow: documents in, validated Parquet tables out.

Reads like a table of contents; the work lives in `ingest/`, `extract/` and
`transform/`, callable without Prefect.
"""

from __future__ import annotations

import os

# No network here but the package registries: keep Prefect from phoning home, and
# let a flow run start its temporary local server instead of looking for one.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import logging
import multiprocessing
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.task_runners import ThreadPoolTaskRunner

from extract.pipeline import EXTRACTOR_VERSION
from flows.progress import RunProgress
from flows.runners import release_idle_workers
from ingest.local import DocumentRef, HashManifest, content_hashes, discover, gc_paused
from ingest.sources import WEB_KINDS, Source, is_web_address, load_sources, source_for_input
from transform.batch import BatchOutcome, extract_to_parts
from transform.incremental import Plan, plan_refresh, published_parts
from transform.publish import (
    check_output,
    close_staging,
    current_parts,
    discard_staged,
    empty_parts,
    is_remote,
    lock_output,
    open_staging,
    publish_staged,
    read_hash_manifest,
    read_windows,
    without_articles,
    write_hash_manifest,
    write_parts,
    write_windows,
)
from transform.schemas import PUBLISHED, TABLES
from transform.tables import Rejected, rejects_table
from transform.taxonomy import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy
from transform.windows import implied_window

if TYPE_CHECKING:
    from ingest.web import WebDocuments
    from transform.validate import ValidationReport, Validator

# Worker processes import this module to run `extract batch`: pandas and Great
# Expectations (validation), httpx and trafilatura (fetching) are imported where they
# are used, so that a worker holds only what extraction needs (about 100 MB less each).
DEFAULT_BATCH_SIZE = 500
DEFAULT_ARCHIVE = "data/archive"  # outside data/raw (the sample corpus) and git-ignored


def resolve_sources(inputs: list[str], sources_file: str | None) -> list[Source]:
    """The sources of a run: the sources file's entries, then `--input` values (page URLs,
    files and folders; a path that does not exist is reported by discovery)."""
    sources = load_sources(sources_file) if sources_file else []
    for value in inputs:
        if is_web_address(value):
            sources.append(source_for_input(value))
        else:
            sources.append(Source(name=value, kind="file" if Path(value).is_file() else "folder", location=value))
    if not sources:
        raise SourcesError("nothing to read: give --input or --sources")
    return sources


class ValidationFailed(RuntimeError):
    """The tables broke an expectation; nothing was published."""


class SourcesError(ValueError):
    """A bad sources file or `--input` value (the message names the file, entry and
    field); raised before anything is read or written."""


@dataclass
class RunSummary:
    documents: int
    rejected: dict[str, int]
    rows: dict[str, int]
    output: str
    validation_docs: str | None
    published: bool
    extracted: int = 0  # documents this run extracted
    reused: int = 0  # documents whose rows were carried over from the last run
    unchanged: bool = False  # nothing new: the published tables were kept as they were
    report: str | None = None  # the report's index.html, when one was written
    problems: list[tuple[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each step


class Documents:
    """Documents handed to a task as one opaque value. Prefect walks the parameters of a
    task looking for futures, field by field: about 1 s per pass over 35k documents, and
    it makes several. Not a list or a dataclass, so it is not walked; it pickles for
    worker processes and Dask workers alike."""

    __slots__ = ("refs",)

    def __init__(self, refs: list[DocumentRef]) -> None:
        self.refs = refs

    def __getstate__(self) -> list[DocumentRef]:
        return self.refs

    def __setstate__(self, refs: list[DocumentRef]) -> None:
        self.refs = refs


def _logger() -> logging.Logger | logging.LoggerAdapter:
    """The run's logger, or the module's when a task's function is called outside a run."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


@task(name="discover documents", cache_policy=NO_CACHE)
def discover_documents(
    sources: list[Source], output: str | Path | None = None
) -> tuple[list[DocumentRef], list[tuple[str, str]]]:
    """Documents of the local sources (folders and files), each with its source's outlet and
    publication window: the one sources.yaml declares, else the one a sample of the source's
    own documents implies (transform/windows.py), else none. An implied window is saved
    beside `output` and read again while the sampled files are unchanged."""
    refs: dict[str, DocumentRef] = {}
    problems: list[tuple[str, str]] = []
    saved = read_windows(output) if output is not None else {}
    windows = {location: dict(kept) for location, kept in saved.items() if isinstance(kept, dict)}
    today = datetime.now(UTC).date()
    with gc_paused():
        for source in sources:
            found, missing = discover([source.location])
            problems += missing
            window = source.published_between
            if window is None and source.infer_window:
                window = implied_window(found, today, windows.setdefault(source.location, {}))
                if window is not None:
                    implied = "%s: published between %s and %s, as its dated documents imply"
                    _logger().info(implied, source.name, *window)
            for ref in found:
                if ref.uri not in refs:
                    same = ref.outlet == source.outlet and ref.published_between == window
                    refs[ref.uri] = ref if same else ref.of_source(source.outlet, window)
        if output is not None and windows != saved:
            try:
                write_windows(output, windows)
            except OSError as error:  # only a cache: the next run infers it again
                _logger().warning("publication windows not saved: %s", error)
        listed = list(refs.values()) if len(sources) == 1 else sorted(refs.values(), key=attrgetter("uri"))
        return listed, problems  # one source's documents come sorted from `discover`


@task(name="fetch web sources", cache_policy=NO_CACHE)
def fetch_web(sources: list[Source], archive_dir: Path, replay: bool, policy: dict[str, Any]) -> WebDocuments:
    """Pages and feeds into the raw archive (or, replaying, out of it), as documents."""
    from ingest.archive import RawArchive
    from ingest.http import Fetcher, FetchPolicy
    from ingest.web import collect_web

    archive = RawArchive(archive_dir)
    if replay:
        return collect_web(sources, archive, None)
    with Fetcher(archive, FetchPolicy(**policy)) as fetcher:
        return collect_web(sources, archive, fetcher)


@task(name="plan the refresh", cache_policy=NO_CACHE)
def plan(documents: Documents, output: str | Path, taxonomy: Taxonomy) -> Plan:
    """What to extract and which parts of the published version to carry over: reads the
    keys of its articles and rejects parts, never a whole table."""
    refs = documents.refs
    with gc_paused():
        hashes = _hashes_with_manifest(refs, output)
        return plan_refresh(
            refs, hashes, output, extractor_version=EXTRACTOR_VERSION, taxonomy_version=taxonomy.version
        )


def _hashes_with_manifest(refs: list[DocumentRef], output: str | Path) -> list[str]:
    """Content hashes of `refs`, reading only the files the output's hash manifest does
    not know as they are now (size and mtime); the manifest is saved when it changed."""
    manifest = HashManifest.from_bytes(read_hash_manifest(output))
    hashes = content_hashes(refs, manifest)
    manifest.keep_only({ref.uri for ref in refs})
    if manifest.changed:
        try:
            write_hash_manifest(output, manifest.to_bytes())
        except OSError as error:  # only a cache: the next run hashes again
            _logger().warning("hash manifest not saved: %s", error)
    return hashes


@task(name="extract batch", cache_policy=NO_CACHE)
def extract_batch(batch: Documents, taxonomy: Taxonomy, extracted_at: datetime, staging: str) -> BatchOutcome:
    """Extract a batch and write its rows into the staged version; only counts and keys
    come back to the run."""
    return extract_to_parts(batch.refs, taxonomy, extracted_at=extracted_at, staging=staging)


@task(name="validate batches", cache_policy=NO_CACHE)
def validate_batches(validator: Validator, staging: str, parts: list[dict[str, Any]], label: str) -> list[dict]:
    """Great Expectations on the rows a group of batches wrote, then the mentions of facts
    of their figures staged (transform/staged.py); returns the mentions' parts."""
    from transform.staged import stage_group

    return stage_group(validator, staging, parts, label)


@task(name="build metrics", cache_policy=NO_CACHE)
def metrics_table(
    staging: str,
    validator: Validator,
    parts: list[dict[str, Any]],
    previous: str | None = None,
    fresh: list[str] | None = None,
) -> tuple[pa.Table, list[dict[str, Any]]]:
    """One row per reported fact, from the mentions of facts of the staged version
    (transform/facts.py), validated and staged; then the keys of every part are checked
    across parts. A refresh folds again only the facts its `fresh` parts (the figures and
    mentions it wrote) touch, and Great Expectations validates those rows; the others
    are the `previous` version's (transform/staged.py). Returns the metrics and their part."""
    from transform.staged import validate_metrics, version_keys, version_metrics

    metrics = version_metrics(staging, previous, fresh or [])
    keys = version_keys(staging, parts)
    keys["metrics"] = metrics.table.select(["metric_id"])
    validator.check_keys(keys)
    validate_metrics(validator, metrics.refolded, keys)  # the rest were validated when published
    return metrics.table, write_parts({"metrics": metrics.table}, staging)


@task(name="write report", cache_policy=NO_CACHE)
def report_task(output: Path, report_dir: Path, validation: ValidationReport, metrics: pa.Table) -> Path:
    """The static report of the published tables, linked from the flow run with the top
    facts in a table artifact."""
    import pandas as pd

    from transform.report import largest_facts, write_report

    index = write_report(
        output,
        report_dir,
        validation_index=str(validation.docs_index) if validation.docs_index else None,
        validation_success=validation.success,
    )
    create_link_artifact(link=index.as_uri(), link_text="solieu report", key="solieu-report")
    top = largest_facts(metrics.to_pandas(), per_metric=3)  # the run has them: no second read
    columns = ["metric", "value", "unit", "place", "period_start", "period_end", "n_articles", "n_outlets"]
    rows = [{k: (None if pd.isna(v) else str(v)) for k, v in row.items()} for row in top[columns].to_dict("records")]
    create_table_artifact(table=rows, key="solieu-top-metrics", description="the largest facts of each metric")
    return index


def _failure_text(report: ValidationReport) -> str:
    lines = [f"{len(report.failures)} expectation(s) failed; nothing was published:"]
    for failure in report.failures:
        lines.append(f"  {failure.table}: {failure.expectation}: {failure.detail}")
        lines.extend(f"      {row}" for row in failure.offending_rows)
    return "\n".join(lines)


def batches(refs: list[DocumentRef], size: int) -> list[list[DocumentRef]]:
    if size < 1:  # range() would make no batch of a negative size, and lose every document
        raise ValueError(f"batch_size must be at least 1, got {size}")
    return [refs[i : i + size] for i in range(0, len(refs), size)]


class RunStopped(BaseException):
    """A SIGTERM or SIGINT reached the run (raised where the run notices it had one)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_stop_signals: list[int] = []  # signals received during the current run, in order
_stop_listeners: list[Callable[[int], None]] = []


@contextmanager
def listening_for_stops(listener: Callable[[int], None]) -> Iterator[None]:
    """Within: `listener(signum)` is called when a SIGTERM or SIGINT stops a run. It runs
    in the signal handler, so it must return at once."""
    _stop_listeners.append(listener)
    try:
        yield
    finally:
        _stop_listeners.remove(listener)


def stop_signal() -> int | None:
    """The signal that stopped the current (or last) run in this process, if one did."""
    return _stop_signals[-1] if _stop_signals else None


@contextmanager
def _stopping_on_signals() -> Iterator[None]:
    """Within (in the main thread): SIGTERM and SIGINT are recorded, terminate the worker
    processes at once, then do what they did before (Prefect's SIGTERM handler raises
    TerminationSignal, SIGINT's raises KeyboardInterrupt). Recording them lets the run
    and the command know it was stopped even when a library wraps the exception the
    handler raised in one of its own (pydantic did, while serializing)."""
    _stop_signals.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}

    def on_signal(signum: int, frame: Any) -> None:
        _stop_signals.append(signum)
        for listener in list(_stop_listeners):
            listener(signum)
        _terminate_children()  # no join here: the handler must return quickly
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        raise RunStopped(signum)

    for signum in previous:
        signal.signal(signum, on_signal)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _raise_if_stopped() -> None:
    """Before publishing: a run that was signalled stops, whatever became of the exception."""
    if _stop_signals:
        raise RunStopped(_stop_signals[-1])


def _terminate_children() -> list[multiprocessing.Process]:
    """Ask every worker process of this one to stop (SIGTERM); they are returned."""
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    return children


def stop_worker_processes() -> None:
    """Terminate this process's worker processes (the process pool's, a local Dask
    cluster's). On an interrupt the task runner's shutdown would wait for every batch
    still queued, minutes on a large corpus; the run is over, so nothing is lost."""
    children = _terminate_children()
    for child in children:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()


def _extra_rejects(work: Plan, failures: list[Rejected], run_time: datetime) -> pa.Table:
    """Rejects that are not documents' rows: sources that failed, second copies."""
    return rejects_table(
        [*failures, *(Rejected(uri, "duplicate", f"same bytes as {first}") for uri, first in work.duplicates)],
        run_time,
    )


def _published_metrics_rows(work: Plan) -> int:
    """Rows of the current version's metrics, from its `_PARTS.json`."""
    _, parts = published_parts(work.current) if work.current else (None, None)
    return sum(int(p.get("rows", 0)) for p in parts or [] if str(p["path"]).startswith("metrics/"))


def _summary(
    refs: list[DocumentRef], rows: Counter[str], rejected: Counter[str], output: str | Path, work: Plan, **facts: object
) -> RunSummary:
    return RunSummary(
        documents=len(refs),
        rejected=dict(rejected),
        rows={name: rows[name] for name in TABLES},
        output=str(output),
        extracted=len(work.new),
        reused=work.reused,
        **facts,  # type: ignore[arg-type]
    )


def _summary_markdown(summary: RunSummary) -> str:
    rejected = ", ".join(f"{reason} {count}" for reason, count in sorted(summary.rejected.items())) or "none"
    rows = "\n".join(f"| {name} | {count:,} |" for name, count in summary.rows.items())
    state = "unchanged, tables kept" if summary.unchanged else ("passed" if summary.published else "FAILED")
    return (
        f"# solieu refresh\n\n"
        f"- documents read: {summary.documents:,} (extracted {summary.extracted:,}, reused {summary.reused:,})\n"
        f"- rejected: {rejected}\n- validation: {state} (Data Docs: `{summary.validation_docs}`)\n"
        f"- tables: `{summary.output}`\n- extractor version: {EXTRACTOR_VERSION}\n\n"
        f"| table | rows |\n|---|---|\n{rows}\n\n"
        f"seconds: {', '.join(f'{step} {sec:.1f}' for step, sec in summary.seconds.items()) or 'n/a'}\n"
    )


@flow(name="refresh", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=4))
def refresh(
    inputs: list[str] | None = None,
    output: str = "data/tables",
    taxonomy_path: str = str(DEFAULT_TAXONOMY),
    validation_dir: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    sources_file: str | None = None,
    archive_dir: str = DEFAULT_ARCHIVE,
    replay: bool = False,
    fetch_policy: dict[str, Any] | None = None,
    lock_wait: float = 0.0,
    report_dir: str | None = None,
    report: bool = True,
) -> RunSummary:
    """Read the documents of `inputs` (files, folders, page URLs) and of the sources file,
    extract figures and dates from the new or changed ones, validate, and publish to
    `output`. Web pages and feeds are fetched into the raw archive at `archive_dir`;
    `replay` reads them from the archive instead, without the network. `fetch_policy`
    overrides fields of `ingest.http.FetchPolicy` (timeouts, retries, bounds).

    The run holds `output`'s lock throughout; if another run holds it, this one waits
    up to `lock_wait` seconds, then raises OutputLocked. A bad `output` (BadOutput),
    sources (SourcesError) or batch size (ValueError) is raised before anything is
    written. The report of the published tables goes to `report_dir` (by default
    `report/` beside the output; a remote output gets none); `report=False` writes none."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if lock_wait < 0:
        raise ValueError(f"lock_wait must be 0 or more seconds, got {lock_wait}")
    check_output(output)
    try:
        sources = resolve_sources(inputs or [], sources_file)
    except SourcesError:
        raise
    except ValueError as problem:  # only source loading is read as a bad sources file
        raise SourcesError(str(problem) or type(problem).__name__) from problem
    output_dir: str | Path  # a URL for an fsspec output (s3://…), else a local folder
    if is_remote(output):
        output_dir = output.rstrip("/")
        docs_dir = Path(validation_dir or "data/validation").resolve()
        reports = None  # the report reads local tables: `solieu report` on a downloaded copy
    else:
        output_dir = Path(output).absolute()  # not resolved: it is a link to the current version
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        docs_dir = (Path(validation_dir) if validation_dir else output_dir.parent / "validation").resolve()
        reports = (Path(report_dir) if report_dir else output_dir.parent / "report").resolve()
    taxonomy = load_taxonomy(taxonomy_path)
    with _stopping_on_signals(), lock_output(output_dir, wait=lock_wait):
        return _refresh_locked(
            sources,
            output_dir,
            docs_dir,
            taxonomy,
            batch_size,
            Path(archive_dir),
            replay,
            fetch_policy or {},
            reports if report else None,
        )


def _refresh_locked(
    sources: list[Source],
    output_dir: str | Path,
    docs_dir: Path,
    taxonomy: Taxonomy,
    batch_size: int,
    archive_dir: Path,
    replay: bool,
    fetch_policy: dict[str, Any],
    report_dir: Path | None,
) -> RunSummary:
    """The body of `refresh`, with the output's lock held."""
    logger = get_run_logger()
    run_time = datetime.now(UTC)
    clock = _Stopwatch()
    local = [s for s in sources if s.kind not in WEB_KINDS]
    web = [s for s in sources if s.kind in WEB_KINDS]
    refs, problems = discover_documents(local, output_dir)
    clock.lap("discover")
    failures: list[Rejected] = []
    if web:
        fetched = fetch_web(web, archive_dir, replay, fetch_policy)
        refs = refs + fetched.refs
        failures = [Rejected(f.uri, f.reason, f.detail) for f in fetched.failures]
        logger.info(
            "web: %d documents (%d fetched, %d not modified, %d from the archive), %d failures",
            len(fetched.refs),
            fetched.fetched,
            fetched.not_modified,
            fetched.from_archive,
            len(failures),
        )
        clock.lap("fetch")
    for path, why in problems:
        logger.warning("input %s: %s", path, why)
    work = plan(Documents(refs), output_dir, taxonomy)
    extra = _extra_rejects(work, failures, run_time)
    clock.lap("plan")
    if work.unchanged(extra):
        rows = Counter(work.carried_rows)
        rows["rejects"] += extra.num_rows
        rejected = work.carried_rejects + Counter(extra.column("reason").to_pylist())
        summary = _summary(refs, rows, rejected, output_dir, work, validation_docs=None, published=True, unchanged=True)
        summary.rows["metrics"] = _published_metrics_rows(work)
        summary.problems, summary.seconds = problems, clock.laps
        create_markdown_artifact(markdown=_summary_markdown(summary), key="solieu-refresh")
        return summary

    staging = open_staging(output_dir)
    try:
        parts, validator, new_rejects = _stage_new_version(
            work, staging, extra, taxonomy, run_time, batch_size, docs_dir, logger
        )
        clock.lap("extract")
        # a table no batch wrote a row of is one empty part: readers still get its schema
        staged_tables = {part["table"] for part in parts}
        empty = {n: s for n, s in PUBLISHED.items() if n not in staged_tables and n != "metrics"}
        parts += empty_parts(staging, empty, current_parts(output_dir) if empty else None)
        carried = {part["path"] for part in work.shared}
        fresh = [p["path"] for p in parts if p["table"] in ("figures", "fact_mentions") and p["path"] not in carried]
        metrics, metrics_parts = metrics_table(str(staging), validator, parts, work.current, fresh)
        parts += metrics_parts
        close_staging(staging, parts)
        clock.lap("metrics")
        report = validator.finish()
        clock.lap("validate")
        rows: Counter[str] = Counter()
        for part in parts:
            rows[part["table"]] += part["rows"]
        rejected = work.carried_rejects + Counter(extra.column("reason").to_pylist())
        summary = _summary(
            refs,
            rows,
            rejected + new_rejects,
            output_dir,
            work,
            validation_docs=str(report.docs_index) if report.docs_index else None,
            published=report.success,
        )
        summary.rows["metrics"] = rows["metrics"]
        summary.problems = problems
        _raise_if_stopped()
        try:
            if not report.success:
                raise ValidationFailed(_failure_text(report))
            publish_staged(staging, output_dir)
        finally:  # a failed run records its artifact too: it says FAILED and why
            clock.lap("publish")
            summary.seconds = clock.laps
            create_markdown_artifact(markdown=_summary_markdown(summary), key="solieu-refresh")
    except BaseException:  # not published: an interrupted or failed run leaves no staging behind
        discard_staged(staging)
        raise
    if report_dir is not None:
        summary.report = str(report_task(Path(output_dir), report_dir, report, metrics))
        clock.lap("report")
    return summary


# Rows validated at a time, in documents: the driver holds one group of batches' rows,
# whatever the size of the archive. On the 35k corpus 5,000 took the run's peak from 1,509
# to 1,389 MiB against 10,000, in the same time; at 10x, groups of 14,700 (24 groups)
# took the driver from 1,766 to 2,224 MiB: the group size, not the group count, is fixed.
VALIDATE_EVERY = 5_000


def _stage_new_version(
    work: Plan,
    staging: str | Path,
    extra: pa.Table,
    taxonomy: Taxonomy,
    run_time: datetime,
    batch_size: int,
    docs_dir: Path,
    logger: logging.Logger | logging.LoggerAdapter,
) -> tuple[list[dict[str, Any]], Validator, Counter[str]]:
    """Carry the plan's parts over into `staging`, extract the new documents there batch by
    batch, validating each group of VALIDATE_EVERY documents' rows while the next batches
    run, and stage the run's own rejects. The same article text in two batches keeps its
    first rows; the second becomes a `duplicate` reject. Returns the staged parts, the
    validator (it holds the failures so far) and the new rejects by reason."""
    from transform.validate import Validator

    parts = work.carry_over(staging)
    seen = dict(zip(work.carried_ids.to_pylist(), work.carried_uris.to_pylist(), strict=True))
    todo = batches(work.new, batch_size)
    futures = [extract_batch.submit(Documents(batch), taxonomy, run_time, str(staging)) for batch in todo]
    validator = Validator(taxonomy.keys, run_time=run_time, docs_dir=docs_dir, taxonomy=taxonomy)
    new_rejects: Counter[str] = Counter()
    duplicates: list[Rejected] = []
    # the run's own rejects (every run makes them again: parts apart from the batches')
    # are validated with the first group, not alone: each validation costs a second or so
    group = write_parts({"rejects": extra}, staging) if extra.num_rows else []
    parts += group
    grouped = first = 0
    try:
        with RunProgress(len(work.new), logger) as progress:
            for number, (batch, future) in enumerate(zip(todo, futures, strict=True)):  # in order: first rows win
                outcome: BatchOutcome = future.result()
                futures[number] = None  # type: ignore[call-overload]  # its result is not needed again
                batch_parts = outcome.parts
                repeated = _repeated_articles(outcome, seen, duplicates)
                if repeated:
                    batch_parts = without_articles(batch_parts, staging, repeated)
                new_rejects.update(outcome.rejects)
                progress.advance(len(batch), outcome.rows["rejects"])
                parts += batch_parts
                group += batch_parts
                grouped += len(batch)
                if grouped >= VALIDATE_EVERY or number == len(todo) - 1:
                    label = f"documents {first + 1}-{first + grouped}"
                    parts += validate_batches(validator, str(staging), group, label)
                    first, grouped, group = first + grouped, 0, []
    except BaseException:  # an interrupt (SIGTERM, SIGINT) or a failed batch: the run stops now
        stop_worker_processes()
        raise
    release_idle_workers()
    repeats = rejects_table(duplicates, run_time)
    new_rejects.update(repeats.column("reason").to_pylist())
    if repeats.num_rows:  # carried like any reject from now on
        repeat_parts = write_parts({"rejects": repeats}, staging)
        parts += repeat_parts
        group += repeat_parts
    if group:  # the repeats, or the run's rejects when no batch ran
        parts += validate_batches(validator, str(staging), group, "the run's rejects")
    return parts, validator, new_rejects


def _repeated_articles(outcome: BatchOutcome, seen: dict[str, str], duplicates: list[Rejected]) -> set[str]:
    """Articles of `outcome` met in an earlier batch or carried over: recorded as duplicate
    rejects (their rows are then left out); the others are added to `seen`."""
    repeated = set()
    keys = outcome.articles
    for aid, uri, digest in zip(
        keys["article_id"].to_pylist(), keys["source_uri"].to_pylist(), keys["content_sha256"].to_pylist(), strict=True
    ):
        if aid in seen:
            repeated.add(aid)
            duplicates.append(Rejected(uri, "duplicate", f"same article text as {seen[aid]}", digest))
        else:
            seen[aid] = uri
    return repeated


class _Stopwatch:
    """Wall seconds of each step of a run, for the summary."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = round(now - self._last, 2)
        self._last = now


def print_summary(summary: RunSummary, file: TextIO | None = None) -> None:
    file = file or sys.stdout  # looked up now: callers may have redirected it
    for path, why in summary.problems:
        print(f"input skipped:    {path} ({why})", file=file)
    rejected = ", ".join(f"{r} {n}" for r, n in sorted(summary.rejected.items())) or "none"
    total_rejected = sum(summary.rejected.values())
    print(f"documents read:   {summary.documents} (extracted {summary.extracted}, reused {summary.reused})", file=file)
    print(f"rejected:         {total_rejected} ({rejected})", file=file)
    print(f"articles:         {summary.rows['articles']}", file=file)
    print(f"figures:          {summary.rows['figures']}", file=file)
    print(f"dates:            {summary.rows['dates']}", file=file)
    if "metrics" in summary.rows:
        print(f"metrics:          {summary.rows['metrics']} facts", file=file)
    if summary.unchanged:
        print("validation:       nothing new; the published tables were kept", file=file)
    else:
        verdict = "passed" if summary.published else "FAILED"
        print(f"validation:       {verdict}; Data Docs {summary.validation_docs}", file=file)
    if summary.seconds:
        steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in summary.seconds.items())
        print(f"seconds:          {steps}", file=file)
    print(f"tables:           {summary.output}/{{articles,figures,dates,rejects,metrics}}", file=file)
    if summary.report:
        print(f"report:           {summary.report}", file=file)
    print("load them:", file=file)
    print("    import pandas as pd", file=file)
    if is_remote(summary.output):  # the current version is named by the output's _CURRENT object
        print("    from transform.publish import current_version", file=file)
        print(f"    tables = current_version({summary.output!r})", file=file)
        print("    figures = pd.read_parquet(tables + '/figures')", file=file)
        print("    articles = pd.read_parquet(tables + '/articles')", file=file)
        print("    metrics = pd.read_parquet(tables + '/metrics')", file=file)
        return
    print(f"    figures = pd.read_parquet({summary.output + '/figures'!r})", file=file)
    print(f"    articles = pd.read_parquet({summary.output + '/articles'!r})", file=file)
    print(f"    metrics = pd.read_parquet({summary.output + '/metrics'!r})", file=file)


if __name__ == "__main__":
    from flows.cli import main

    raise SystemExit(main(["run", *sys.argv[1:]]))
