"""Where batches run (`flows.runners`)."""

from __future__ import annotations

import psutil
import pytest
from prefect import flow, task

from flows.runners import make_task_runner, release_idle_workers


@task
def _double(value: int) -> int:
    return 2 * value


@flow
def _extract_then_release() -> tuple[int, list[int], list[int]]:
    """A task in a worker process; then the workers' pids before and after releasing."""
    result = _double.submit(21).result()
    before = _pool_workers()
    release_idle_workers()
    alive = [pid for pid in before if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    return result, before, alive


def _pool_workers() -> list[int]:
    """This process's pool workers (Prefect's pool starts them with `spawn`)."""
    workers = []
    for child in psutil.Process().children():
        try:
            if any("spawn_main" in part for part in child.cmdline()):  # not the resource tracker
                workers.append(child.pid)
        except psutil.Error:
            continue
    return workers


def test_idle_worker_processes_are_stopped_before_the_flow_ends(prefect_harness: None) -> None:
    """The workers' memory is freed for validation and publishing; the flow still ends well."""
    runner = make_task_runner("local", workers=1)
    result, before, alive = _extract_then_release.with_options(task_runner=runner)()
    assert result == 42
    assert before, "the process pool had no worker: Prefect's runner changed"
    assert alive == []


@pytest.mark.parametrize("runner", ["threads"])
def test_other_runners_are_left_as_they_are(runner: str, prefect_harness: None) -> None:
    @flow(task_runner=make_task_runner(runner))
    def threads_flow() -> int:
        release_idle_workers()  # nothing to release; tasks still run after it
        return _double.submit(4).result()

    assert threads_flow() == 8
