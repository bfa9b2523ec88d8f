"""The `compact` flow: the small parts of the published tables merged, on a schedule.

A refresh writes only what is new, so an hourly refresh leaves a few small parts each
time; `prefect.yaml` deploys this flow daily to merge them (transform/compact.py).
`solieu compact` does the same once, from the command line.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from transform.compact import compact
from transform.publish import is_remote, lock_output

DEFAULT_LOCK_WAIT = 600.0  # seconds: a refresh that holds the output finishes first


def compact_output(output: str, lock_wait: float = DEFAULT_LOCK_WAIT) -> dict[str, Any]:
    """Merge the small parts of `output` under its lock; what was done, as a dict."""
    target: str | Path = output.rstrip("/") if is_remote(output) else Path(output).absolute()
    with lock_output(target, wait=lock_wait):
        return asdict(compact(target))


@flow(name="compact", log_prints=True)
def compact_tables(output: str = "data/tables", lock_wait: float = DEFAULT_LOCK_WAIT) -> dict[str, Any]:
    """Publish a version of `output` whose small parts are merged (the rows do not change)."""
    done = compact_output(output, lock_wait)
    get_run_logger().info(
        "%s: %d parts -> %d (%d merged, %d bytes written)",
        output,
        done["parts_before"],
        done["parts_after"],
        done["merged"],
        done["bytes_written"],
    )
    return done
