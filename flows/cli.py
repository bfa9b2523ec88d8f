"""The `solieu` command: `solieu run --input PATH ... --output DIR`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

RUNNERS = ("local", "threads", "dask")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solieu", description="Figures and dates from Vietnamese news, as validated Parquet tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the refresh flow once")
    run.add_argument("--input", nargs="+", required=True, metavar="PATH", help="files or folders of documents")
    run.add_argument("--output", default="data/tables", metavar="DIR", help="where the tables go (default data/tables)")
    run.add_argument(
        "--taxonomy", default=None, metavar="FILE", help="metric taxonomy TOML (default transform/metrics.toml)"
    )
    run.add_argument(
        "--validation-dir", default=None, metavar="DIR", help="Data Docs folder (default: DIR/../validation)"
    )
    run.add_argument("--batch-size", type=int, default=None, help="documents per batch task")
    run.add_argument(
        "--runner", choices=RUNNERS, default="local", help="local: a process per core (default); threads; dask"
    )
    run.add_argument("--dask-address", default=None, metavar="tcp://HOST:PORT", help="an existing Dask scheduler")
    run.add_argument("--workers", type=int, default=None, help="processes, threads or Dask workers to start")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Prefect is imported only when a command runs: `solieu --help` stays fast.
    from flows.refresh import DEFAULT_BATCH_SIZE, ValidationFailed, print_summary, refresh
    from flows.runners import make_task_runner
    from transform.taxonomy import DEFAULT_TAXONOMY

    if args.dask_address and args.runner != "dask":
        args.runner = "dask"
    flow = refresh.with_options(task_runner=make_task_runner(args.runner, args.dask_address, args.workers))
    try:
        summary = flow(
            inputs=list(args.input),
            output=args.output,
            taxonomy_path=args.taxonomy or str(DEFAULT_TAXONOMY),
            validation_dir=args.validation_dir,
            batch_size=args.batch_size or DEFAULT_BATCH_SIZE,
        )
    except ValidationFailed as failure:
        print(f"validation failed, nothing published:\n{failure}", file=sys.stderr)
        return 1
    print_summary(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
