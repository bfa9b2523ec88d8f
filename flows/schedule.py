"""Scheduled refreshes: the refresh flow as a Prefect deployment with a cron schedule.

`solieu serve` builds the deployment here and serves it from the current process with
`flow.serve`: every tick of the schedule starts a flow run in this process, with the
task runner chosen on the command line (the in-memory flow object is what runs, not a
fresh import of `flows/refresh.py` with its defaults). Schedules need a Prefect server
with its scheduler (`prefect server start`); the temporary server a single run starts
has none. `prefect.yaml` deploys the same flow to a work pool instead, for a team with a
Prefect server and workers.
"""

from __future__ import annotations

from typing import Any

from prefect import Flow
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import get_current_settings

from flows.refresh import refresh
from flows.runners import make_task_runner

DEFAULT_CRON = "0 * * * *"  # hourly, on the hour
DEPLOYMENT_NAME = "solieu-refresh"
DESCRIPTION = "Refresh solieu's tables from its sources."


class NoSchedulerError(RuntimeError):
    """`solieu serve` without a Prefect server: nothing would ever be scheduled."""


def configured_refresh(runner: str = "local", dask_address: str | None = None, workers: int | None = None) -> Flow:
    return refresh.with_options(task_runner=make_task_runner(runner, dask_address, workers))


def build_deployment(
    parameters: dict[str, Any],
    *,
    cron: str = DEFAULT_CRON,
    name: str = DEPLOYMENT_NAME,
    flow: Flow | None = None,
) -> RunnerDeployment:
    """The refresh flow (`flow`, default: with the local runner) with `parameters` (as
    `refresh()` takes them) on `cron`. Building it needs no server."""
    return (flow or configured_refresh()).to_deployment(
        name=name, cron=cron, parameters=parameters, description=DESCRIPTION, tags=["solieu"]
    )


def serve_deployment(deployment: RunnerDeployment, flow: Flow) -> None:
    """Serve until interrupted (Ctrl-C): scheduled runs execute `flow` in this process."""
    if not get_current_settings().api.url:
        raise NoSchedulerError(
            "solieu serve needs a Prefect server to schedule runs: start one with "
            "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    flow.serve(
        name=deployment.name,
        schedules=deployment.schedules,
        parameters=deployment.parameters,
        description=deployment.description,
        tags=deployment.tags,
    )
