"""Scheduled refreshes: the refresh flow as a Prefect deployment with a cron schedule.

`solieu serve` builds the deployment here and serves it from the current process
(`prefect.serve`, the long-running form of `flow.serve`): every tick of the schedule
starts a flow run in this process. `prefect.yaml` deploys the same flow to a work pool
instead, for a team with a Prefect server and workers.
"""

from __future__ import annotations

from typing import Any

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from flows.refresh import refresh
from flows.runners import make_task_runner

DEFAULT_CRON = "0 * * * *"  # hourly, on the hour
DEPLOYMENT_NAME = "solieu-refresh"


def build_deployment(
    parameters: dict[str, Any],
    *,
    cron: str = DEFAULT_CRON,
    name: str = DEPLOYMENT_NAME,
    runner: str = "local",
    dask_address: str | None = None,
    workers: int | None = None,
) -> RunnerDeployment:
    """The refresh flow with `parameters` (as `refresh()` takes them) on `cron`."""
    flow = refresh.with_options(task_runner=make_task_runner(runner, dask_address, workers))
    return flow.to_deployment(
        name=name,
        cron=cron,
        parameters=parameters,
        description="Refresh solieu's tables from its sources.",
        tags=["solieu"],
    )


def serve_deployment(deployment: RunnerDeployment) -> None:
    """Serve until interrupted (Ctrl-C): scheduled runs execute in this process."""
    serve(deployment, print_starting_message=True)
