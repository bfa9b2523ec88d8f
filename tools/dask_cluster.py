"""A two-worker Dask cluster for the bench's Dask run, in a process of its own.

    python -m tools.dask_cluster

Prints the scheduler's address on its first line and serves until its standard input
closes (the bench closes it when the run is over), so the bench can measure the
cluster's processes apart from the flow's and stop them without touching anything else.
"""

from __future__ import annotations

import sys

WORKERS = 2


def main() -> int:
    from distributed import LocalCluster

    # one thread per worker: extraction is CPU-bound Python, so a worker is a core
    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()  # until the bench closes it, or dies
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
