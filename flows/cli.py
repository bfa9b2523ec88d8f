"""The `solieu` command: `solieu run` (one refresh) and `solieu serve` (refreshes on a schedule).

Options are checked before anything starts (a Prefect server, a flow run): a bad value,
sources file, taxonomy or `--output`, or an output another run holds, ends the command
with one line saying what to do, and nothing is written.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

RUNNERS = ("local", "threads", "dask")

# Exit statuses of `solieu run` (documented in its --help).
EXIT_PUBLISHED = 0
EXIT_VALIDATION_FAILED = 1
EXIT_BAD_OPTION = 2  # argparse's own status for a bad option, too
EXIT_LOCKED = 3
EXIT_RUN_FAILED = 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
EXIT_TERMINATED = 143  # 128 + SIGTERM

EXIT_STATUSES = f"""\
exit status:
  {EXIT_PUBLISHED}    published, or nothing new (the published tables were kept)
  {EXIT_VALIDATION_FAILED}    validation failed: nothing was published; the failed expectations are printed
  {EXIT_BAD_OPTION}    bad option, sources file, taxonomy or --output: nothing was run
  {EXIT_LOCKED}    another run is writing the same --output (it is named): nothing was run;
       wait for it, or pass --wait-lock SECONDS
  {EXIT_RUN_FAILED}    the run failed (an unexpected error, or its Prefect server went away): nothing
       was published; the traceback is written to the file the message names
  {EXIT_INTERRUPTED}  interrupted (SIGINT, Ctrl-C): the run stopped; the published tables are the last complete set
  {EXIT_TERMINATED}  terminated (SIGTERM): the run stopped; the published tables are the last complete set
"""


def _at_least(minimum: float, kind: type[int] | type[float]) -> Callable[[str], Any]:
    """An argparse type: a number of `kind` no smaller than `minimum`."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def _add_source_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--input",
        nargs="+",
        action="extend",  # `--input a --input b` reads both, as `--input a b` does
        default=[],
        metavar="PATH|URL",
        help="files, folders of documents, or web page URLs",
    )
    command.add_argument("--sources", default=None, metavar="FILE", help="a sources file (see sources.yaml)")
    command.add_argument(
        "--output",
        default="data/tables",
        metavar="DIR",
        help="a folder, or an fsspec URL such as s3://bucket/prefix (default data/tables)",
    )
    command.add_argument(
        "--taxonomy", default=None, metavar="FILE", help="metric taxonomy TOML (default transform/metrics.toml)"
    )
    command.add_argument(
        "--validation-dir", default=None, metavar="DIR", help="Data Docs folder (default: DIR/../validation)"
    )
    command.add_argument(
        "--archive", default=None, metavar="DIR", help="raw archive of fetched pages (default data/archive)"
    )
    command.add_argument(
        "--batch-size", type=_at_least(1, int), default=None, metavar="N", help="documents per batch task (N >= 1)"
    )
    command.add_argument(
        "--runner", choices=RUNNERS, default="local", help="local: a process per core (default); threads; dask"
    )
    command.add_argument("--dask-address", default=None, metavar="tcp://HOST:PORT", help="an existing Dask scheduler")
    command.add_argument(
        "--workers", type=_at_least(1, int), default=None, metavar="N", help="processes, threads or Dask workers (>= 1)"
    )
    command.add_argument(
        "--wait-lock",
        type=_at_least(0, float),
        default=0.0,
        metavar="SECONDS",
        help="if another run is writing the same --output, wait this long for it (default 0: exit at once)",
    )


class _Parser(argparse.ArgumentParser):
    """Reports a bad option in one line (not the whole usage) and where help is."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_BAD_OPTION, f"{self.prog}: {message}; see {self.prog} --help\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="solieu", description="Figures and dates from Vietnamese news, as validated Parquet tables.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="run the refresh flow once",
        description="Run the refresh flow once: read, extract, validate, publish.",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_source_options(run)
    run.add_argument(
        "--replay", action="store_true", help="read web sources from the raw archive only, without the network"
    )
    serve = commands.add_parser("serve", help="serve the refresh flow on a cron schedule (a Prefect deployment)")
    _add_source_options(serve)
    serve.add_argument("--cron", default=None, metavar="EXPR", help='schedule (default "0 * * * *", hourly)')
    serve.add_argument("--name", default=None, help="deployment name (default solieu-refresh)")
    for command in (run, serve):
        command.add_argument(
            "--report-dir", default=None, metavar="DIR", help="where the report goes (default: DIR/../report)"
        )
        command.add_argument("--no-report", action="store_true", help="write no report")
    report = commands.add_parser(
        "report",
        help="write the static report of published tables",
        description="Write the static report (index.html, opens offline) of published tables.",
    )
    report.add_argument("--tables", default="data/tables", metavar="DIR", help="published tables (default data/tables)")
    report.add_argument("--out", default=None, metavar="DIR", help="where to write it (default: DIR/../report)")
    report.add_argument(
        "--validation-dir", default=None, metavar="DIR", help="Data Docs to link (default: DIR/../validation)"
    )
    compact = commands.add_parser(
        "compact",
        help="merge the small parts of published tables (run it daily)",
        description="Merge the small parts of published tables into fewer, larger ones; the rows do not change.",
    )
    compact.add_argument(
        "--tables", default="data/tables", metavar="DIR|URL", help="published tables (default data/tables)"
    )
    compact.add_argument(
        "--wait-lock", type=float, default=600.0, metavar="SECONDS", help="wait this long for a run writing them"
    )
    return parser


def _compact(args: argparse.Namespace) -> int:
    """`solieu compact`: merge the published tables' small parts, without Prefect."""
    from flows.compact import compact_output
    from transform.publish import OutputLocked, describe_holder

    try:
        done = compact_output(args.tables, args.wait_lock)
    except OutputLocked as locked:
        _say(_locked_line(locked.output, describe_holder(locked.holder)))
        return EXIT_LOCKED
    if done["version"] is None:
        print(f"compact: nothing to merge ({done['parts_before']} parts)")
    else:
        print(
            f"compact: {done['parts_before']} parts -> {done['parts_after']} "
            f"({done['merged']} merged, {done['bytes_written'] / 2**20:.1f} MiB written); {done['version']}"
        )
    return EXIT_PUBLISHED


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    """`refresh()`'s parameters from the command line."""
    from flows.refresh import DEFAULT_ARCHIVE, DEFAULT_BATCH_SIZE
    from transform.taxonomy import DEFAULT_TAXONOMY

    return {
        "inputs": list(args.input),
        "sources_file": args.sources,
        "output": args.output,
        "taxonomy_path": args.taxonomy or str(DEFAULT_TAXONOMY),
        "validation_dir": args.validation_dir,
        "archive_dir": args.archive or DEFAULT_ARCHIVE,
        "batch_size": args.batch_size or DEFAULT_BATCH_SIZE,
        "lock_wait": args.wait_lock,
        "report_dir": args.report_dir,
        "report": not args.no_report,
    }


def _report(args: argparse.Namespace) -> int:
    """`solieu report`: the report of tables already published, without a run."""
    from transform.report import write_report

    tables = Path(args.tables)
    if not (tables / "articles").exists():
        _say(f"{tables} holds no published tables (no articles/); run `solieu run` first or give --tables")
        return EXIT_BAD_OPTION
    docs = Path(args.validation_dir) if args.validation_dir else tables.absolute().parent / "validation"
    index = docs / "index.html"
    out = Path(args.out) if args.out else tables.absolute().parent / "report"
    try:
        written = write_report(tables, out, validation_index=str(index) if index.exists() else None)
    except OSError as problem:
        _say(f"cannot write the report to {out}: {problem.strerror or problem}")
        return EXIT_BAD_OPTION
    print(f"report: {written}")
    return EXIT_PUBLISHED


def _say(message: str) -> None:
    """One line on stderr: what happened and what to do (details may follow it)."""
    print(f"solieu: {message}", file=sys.stderr)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "(no message)"


def _problem_before_running(args: argparse.Namespace) -> tuple[int, str] | None:
    """What keeps the command from running, found without starting anything: an exit
    status and the line to print, or None. Only reads; writes nothing."""
    from ingest.sources import is_web_address, load_sources, source_for_input
    from transform.publish import BadOutput, check_output, describe_holder, lock_holder
    from transform.taxonomy import load_taxonomy

    try:
        check_output(args.output)
    except BadOutput as problem:
        return EXIT_BAD_OPTION, str(problem)
    try:
        if args.sources:
            load_sources(args.sources)
        for value in args.input:
            if is_web_address(value):
                source_for_input(value)
    except ValueError as problem:  # its message names the file, the entry and the field
        return EXIT_BAD_OPTION, f"{_one_line(str(problem))}; fix it and run again"
    if args.taxonomy:
        try:
            load_taxonomy(args.taxonomy)
        except (OSError, ValueError) as problem:
            return EXIT_BAD_OPTION, f"--taxonomy {args.taxonomy}: {_one_line(str(problem))}"
    if args.command == "run" and not args.wait_lock:  # with --wait-lock the run itself waits
        locked, holder = lock_holder(args.output)
        if locked:
            return EXIT_LOCKED, _locked_line(args.output, describe_holder(holder))
    return None


def _locked_line(output: str, holder: str) -> str:
    return (
        f"{output} is being written by another run ({holder}); nothing was written; "
        "wait for it to finish, or pass --wait-lock SECONDS"
    )


class Terminated(BaseException):
    """SIGTERM, raised in the main thread (like KeyboardInterrupt for SIGINT)."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Within: SIGTERM raises Terminated in the main thread, so the run unwinds (its
    workers, its staging, its server are cleaned up) instead of dying on the spot.
    During the flow Prefect's own handler comes first; it sends the signal again to this
    one once it has marked the run crashed."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# Seconds a run stopped by a signal has to unwind before it is ended outright.
STOP_GRACE_SECONDS = 10.0


@contextmanager
def _ended_if_stuck_after_stop() -> Iterator[None]:
    """Within: a run stopped by SIGTERM or SIGINT that has not unwound STOP_GRACE_SECONDS
    later is ended, its worker processes and server killed, with the status the signal
    means. A pool worker terminated while it sends a result leaves a torn message that
    the pool's shutdown waits on for ever (seen here, about one SIGTERM in ten on a
    loaded machine). Nothing is lost: a stopped run publishes nothing, and its lock goes
    with the process."""
    from flows.refresh import listening_for_stops

    unwound = threading.Event()

    def arm(signum: int) -> None:
        threading.Thread(target=_end_if_stuck, args=(signum, unwound), name="solieu-stop-deadline", daemon=True).start()

    with listening_for_stops(arm):
        try:
            yield
        finally:
            unwound.set()


def _end_if_stuck(signum: int, unwound: threading.Event) -> None:
    import psutil

    if unwound.wait(STOP_GRACE_SECONDS):
        return
    what = "terminated (SIGTERM)" if signum == signal.SIGTERM else "interrupted"
    _say(
        f"{what}; the run stopped (its workers did not shut down within {STOP_GRACE_SECONDS:.0f} s, so they were "
        "killed); the published tables are the last complete set"
    )
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child.kill()
    sys.stderr.flush()
    os._exit(EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED)


def _error_log(output: str) -> Path:
    """Where an unexpected error's traceback goes: beside a local output, else the temp folder."""
    from transform.publish import is_remote

    parent = Path(output).absolute().parent
    folder = parent if not is_remote(output) and parent.is_dir() else Path(tempfile.gettempdir())
    return folder / "solieu-error.log"


def _write_traceback(error: BaseException, args: argparse.Namespace) -> str:
    """The traceback of an unexpected error, in a file: what to say about it."""
    log = _error_log(args.output)
    try:
        log.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    except OSError as problem:
        return f"nothing was published; the traceback could not be written to {log} ({problem.strerror})"
    return f"nothing was published; the traceback is in {log}; run again, or report it with that file"


def _stop_worker_processes() -> None:
    """After an interrupt: the run's worker processes, now. The run's Prefect server is
    left to its exit handler, which runs after Prefect's: Prefect sends the run's last
    logs and events when the process exits, and with the server gone it retried for
    over a minute (measured)."""
    if "flows.refresh" in sys.modules:
        from flows.refresh import stop_worker_processes

        stop_worker_processes()


def _run(args: argparse.Namespace) -> int:
    interrupted = False
    try:
        from flows.server import shared_api, start_early

        server = start_early()  # it comes up while the imports below run
        from prefect.exceptions import TerminationSignal

        from flows.refresh import RunStopped, SourcesError, ValidationFailed, print_summary, refresh, stop_signal
        from flows.runners import make_task_runner
        from flows.server import ServerLost
        from transform.publish import BadOutput, OutputLocked, describe_holder

        flow = refresh.with_options(task_runner=make_task_runner(args.runner, args.dask_address, args.workers))
        try:
            with shared_api(server), _ended_if_stuck_after_stop():
                summary = flow(**_parameters(args), replay=args.replay)
        except ValidationFailed as failure:
            _say(f"validation failed, nothing published; fix the inputs or the extractor and run again:\n{failure}")
            return EXIT_VALIDATION_FAILED
        except OutputLocked as locked:
            _say(_locked_line(locked.output, describe_holder(locked.holder)))
            return EXIT_LOCKED
        except (SourcesError, BadOutput) as problem:
            _say(f"{_one_line(str(problem))}; fix it and run again")
            return EXIT_BAD_OPTION
        except ServerLost as lost:
            _say(f"{_one_line(str(lost))}; nothing was published; run again")
            return EXIT_RUN_FAILED
        except BaseException as error:
            received = stop_signal()
            if isinstance(error, Terminated | TerminationSignal) or received == signal.SIGTERM:
                interrupted = True
                _say("terminated (SIGTERM); the run stopped; the published tables are the last complete set")
                return EXIT_TERMINATED
            if isinstance(error, KeyboardInterrupt | RunStopped) or received == signal.SIGINT:
                interrupted = True
                _say("interrupted; the run stopped; the published tables are the last complete set")
                return EXIT_INTERRUPTED
            if not isinstance(error, Exception):  # SystemExit and the like: not ours to report
                raise
            _say(f"the run failed: {type(error).__name__}: {_one_line(str(error))}; {_write_traceback(error, args)}")
            return EXIT_RUN_FAILED
        print_summary(summary)
        return EXIT_PUBLISHED
    except Terminated:  # before the flow started (imports, the server's start-up)
        interrupted = True
        _say("terminated (SIGTERM) before the run started; nothing was changed")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        interrupted = True
        _say("interrupted before the run started; nothing was changed")
        return EXIT_INTERRUPTED
    finally:
        if interrupted:
            _stop_worker_processes()


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "report":
        return _report(args)
    if args.command == "compact":
        return _compact(args)
    if not args.input and not args.sources:
        parser.error("give --input PATH|URL ... or --sources FILE")
    if args.dask_address and args.runner != "dask":
        args.runner = "dask"
    problem = _problem_before_running(args)
    if problem is not None:
        status, message = problem
        _say(message)
        return status
    # Prefect is imported only when a command runs: `solieu --help` stays fast.
    if args.command == "serve":
        from flows.schedule import (
            DEFAULT_CRON,
            DEPLOYMENT_NAME,
            NoSchedulerError,
            build_deployment,
            configured_refresh,
            serve_deployment,
        )

        flow = configured_refresh(args.runner, args.dask_address, args.workers)
        deployment = build_deployment(
            _parameters(args), cron=args.cron or DEFAULT_CRON, name=args.name or DEPLOYMENT_NAME, flow=flow
        )
        try:
            serve_deployment(deployment, flow)
        except NoSchedulerError as problem:
            _say(str(problem))
            return EXIT_BAD_OPTION
        return EXIT_PUBLISHED

    with _sigterm_raises():
        return _run(args)


if __name__ == "__main__":
    raise SystemExit(main())
