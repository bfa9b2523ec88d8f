"""Where the batch tasks run: threads, local processes, or a Dask cluster."""

from __future__ import annotations

import os

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.cli import RUNNERS


def make_task_runner(runner: str, dask_address: str | None = None, workers: int | None = None) -> TaskRunner:
    """`local`: one process per core (extraction is CPU-bound Python, threads would share
    one core); `threads`: in-process, for debugging and tests that patch functions;
    `dask`: an existing cluster at `dask_address` (or a temporary local one)."""
    if runner == "local":
        return ProcessPoolTaskRunner(max_workers=workers or os.cpu_count() or 1)
    if runner == "threads":
        return ThreadPoolTaskRunner(max_workers=workers or 4)
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers or os.cpu_count() or 1, "threads_per_worker": 1})
    raise ValueError(f"unknown runner {runner!r}; one of {', '.join(RUNNERS)}")


def release_idle_workers() -> None:
    """Stop the current flow's worker processes, once it has no more tasks for them.

    They would sit idle until the flow ends, holding about 250 MB each, while the driver
    validates and publishes: on the benchmark corpus that was the run's peak memory.
    `cancel_all` is the task runner's public way to stop its work; with every future
    already resolved it cancels nothing and shuts the process pool down (Prefect's own
    call at the flow's end is then a no-op). Other runners (threads, Dask) are left as
    they are.
    """
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is not None and isinstance(context.task_runner, ProcessPoolTaskRunner):
        context.task_runner.cancel_all()
