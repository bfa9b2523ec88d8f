"""The `solieu` command: `solieu run` (one refresh) and `solieu serve` (refreshes on a schedule)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

RUNNERS = ("local", "threads", "dask")


def _add_source_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--input", nargs="+", default=[], metavar="PATH|URL", help="files, folders of documents, or web page URLs"
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
        "--archive", default=None, metavar="DIR", help="raw archive of fetched pages (default data/raw/archive)"
    )
    command.add_argument("--batch-size", type=int, default=None, help="documents per batch task")
    command.add_argument(
        "--runner", choices=RUNNERS, default="local", help="local: a process per core (default); threads; dask"
    )
    command.add_argument("--dask-address", default=None, metavar="tcp://HOST:PORT", help="an existing Dask scheduler")
    command.add_argument("--workers", type=int, default=None, help="processes, threads or Dask workers to start")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solieu", description="Figures and dates from Vietnamese news, as validated Parquet tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the refresh flow once")
    _add_source_options(run)
    run.add_argument(
        "--replay", action="store_true", help="read web sources from the raw archive only, without the network"
    )
    serve = commands.add_parser("serve", help="serve the refresh flow on a cron schedule (a Prefect deployment)")
    _add_source_options(serve)
    serve.add_argument("--cron", default=None, metavar="EXPR", help='schedule (default "0 * * * *", hourly)')
    serve.add_argument("--name", default=None, help="deployment name (default solieu-refresh)")
    return parser


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
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.input and not args.sources:
        parser.error("give --input PATH|URL ... or --sources FILE")
    if args.dask_address and args.runner != "dask":
        args.runner = "dask"
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
            print(f"solieu: {problem}", file=sys.stderr)
            return 2
        return 0

    from flows.server import shared_api, start_early

    server = start_early()  # it comes up while the imports below run

    from flows.refresh import ValidationFailed, print_summary, refresh
    from flows.runners import make_task_runner

    flow = refresh.with_options(task_runner=make_task_runner(args.runner, args.dask_address, args.workers))
    try:
        with shared_api(server):
            summary = flow(**_parameters(args), replay=args.replay)
    except ValidationFailed as failure:
        print(f"validation failed, nothing published:\n{failure}", file=sys.stderr)
        return 1
    except ValueError as problem:  # a bad sources file: its message names the file, entry and field
        print(f"solieu: {problem}", file=sys.stderr)
        return 2
    print_summary(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
