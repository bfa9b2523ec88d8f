"""Scheduled refreshes without a Prefect server: `flows.schedule`, `solieu serve`, and `prefect.yaml`.

Building a deployment must not contact the Prefect API (only serving it does): these tests
point PREFECT_API_URL at a port where nothing listens, so any request would fail them.
The scheduled run itself is tested in tests/test_web_flow.py.
"""

from __future__ import annotations

import importlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import PREFECT_API_URL, temporary_settings

import flows.schedule
from flows.cli import main
from flows.refresh import DEFAULT_ARCHIVE, refresh
from flows.schedule import DEFAULT_CRON, DEPLOYMENT_NAME, build_deployment, configured_refresh
from ingest.sources import load_sources

PROJECT = Path(__file__).parents[1]
PREFECT_YAML = PROJECT / "prefect.yaml"


@pytest.fixture
def no_api() -> Iterator[str]:
    """PREFECT_API_URL at a closed port on 127.0.0.1: a call to the API would raise."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    with temporary_settings({PREFECT_API_URL: url}):
        yield url


def _flow_at(entrypoint: str) -> Any:
    """The object a `path/to/file.py:name` entrypoint (relative to the project) names, imported as a module."""
    path, _, name = entrypoint.partition(":")
    file = (PROJECT / path).resolve()
    assert file.is_file(), entrypoint
    module = importlib.import_module(".".join(file.relative_to(PROJECT).with_suffix("").parts))
    return getattr(module, name)


def test_no_api_refuses_a_client(no_api: str) -> None:
    """The control: under `no_api`, talking to the API fails at once."""
    import httpx
    from prefect.client.orchestration import get_client

    with pytest.raises(httpx.ConnectError), get_client(sync_client=True) as client:
        client.hello()


# --- flows.schedule ----------------------------------------------------------------------


def test_the_default_schedule_is_hourly_on_the_hour() -> None:
    assert DEFAULT_CRON == "0 * * * *"
    assert CronSchedule(cron=DEFAULT_CRON).cron == DEFAULT_CRON  # Prefect accepts it
    assert DEPLOYMENT_NAME == "solieu-refresh"


def test_build_deployment_needs_no_server(no_api: str) -> None:
    parameters = {"sources_file": "sources.yaml", "output": "data/tables", "archive_dir": DEFAULT_ARCHIVE}
    deployment = build_deployment(parameters)
    assert isinstance(deployment, RunnerDeployment)
    [schedule] = deployment.schedules
    assert schedule.schedule.cron == DEFAULT_CRON
    assert schedule.active
    assert deployment.parameters == parameters
    json.dumps(deployment.parameters)  # they travel to the API as JSON
    assert (deployment.name, deployment.flow_name, deployment.tags) == (DEPLOYMENT_NAME, "refresh", ["solieu"])
    path, _, name = deployment.entrypoint.partition(":")
    assert (Path.cwd() / path).resolve() == PROJECT / "flows" / "refresh.py"
    assert name == "refresh"
    assert _flow_at(f"flows/refresh.py:{name}") is refresh
    assert deployment.work_pool_name is None  # served in-process, not sent to a pool


def test_build_deployment_takes_the_cron_given(no_api: str) -> None:
    deployment = build_deployment(
        {"inputs": ["data/raw"]}, cron="*/30 * * * *", name="thu-nghiem", flow=configured_refresh("threads")
    )
    assert deployment.schedules[0].schedule.cron == "*/30 * * * *"
    assert deployment.name == "thu-nghiem"
    assert deployment.parameters == {"inputs": ["data/raw"]}


# --- solieu serve --------------------------------------------------------------------------


def test_serve_help_mentions_the_cron_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])
    assert done.value.code == 0
    printed = capsys.readouterr().out
    assert "--cron EXPR" in printed
    assert "0 * * * *" in printed
    assert "--sources FILE" in printed


def test_serve_builds_the_deployment_from_its_options(
    no_api: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: list[RunnerDeployment] = []
    # instead of serving until Ctrl-C
    monkeypatch.setattr(flows.schedule, "serve_deployment", lambda deployment, flow: served.append(deployment))
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - name: rss\n    feed: https://example.vn/rss.xml\n", encoding="utf-8")
    output, archive = tmp_path / "tables", tmp_path / "archive"
    code = main(
        [
            "serve",
            "--sources",
            str(sources),
            "--output",
            str(output),
            "--archive",
            str(archive),
            "--cron",
            "*/15 * * * *",
            "--name",
            "moi-15-phut",
            "--runner",
            "threads",
        ]
    )
    assert code == 0
    [deployment] = served
    assert deployment.name == "moi-15-phut"
    assert deployment.schedules[0].schedule.cron == "*/15 * * * *"
    parameters = deployment.parameters
    assert (parameters["sources_file"], parameters["output"], parameters["archive_dir"]) == (
        str(sources),
        str(output),
        str(archive),
    )
    assert parameters["inputs"] == []
    validated = refresh.validate_parameters(parameters)  # raises ParameterTypeError for a bad one
    assert validated.items() >= parameters.items(), "the flow changed a parameter"  # defaults fill the rest


def test_serve_defaults_to_hourly(no_api: str, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[RunnerDeployment] = []
    monkeypatch.setattr(flows.schedule, "serve_deployment", lambda deployment, flow: served.append(deployment))
    assert main(["serve", "--input", "data/raw", "--runner", "threads"]) == 0
    [deployment] = served
    assert (deployment.name, deployment.schedules[0].schedule.cron) == (DEPLOYMENT_NAME, DEFAULT_CRON)
    assert deployment.parameters["archive_dir"] == DEFAULT_ARCHIVE


# --- prefect.yaml ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_file() -> dict[str, Any]:
    return yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def deployment_entry(project_file: dict[str, Any]) -> dict[str, Any]:
    [entry] = [d for d in project_file["deployments"] if d["name"] == DEPLOYMENT_NAME]
    return entry


def test_prefect_yaml_has_the_shape_prefect_deploy_reads(project_file: dict[str, Any]) -> None:
    # the model `prefect deploy` validates prefect.yaml with. Prefect has no public API
    # for it: the import fails, and so does this test, if a Prefect upgrade moves it.
    from prefect.cli.deploy._models import PrefectYamlModel

    model = PrefectYamlModel.model_validate(project_file)
    assert model.name == "solieu"
    import prefect

    assert model.prefect_version == prefect.__version__
    assert [d.name for d in model.deployments] == [DEPLOYMENT_NAME, "solieu-compact"]
    for deployment in model.deployments:
        assert deployment.work_pool is not None and deployment.work_pool.name == "solieu"
        assert deployment.tags == ["solieu"]
        assert deployment.description
    assert model.pull == [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $SOLIEU_HOME }}"}}]
    # a pull step names a function Prefect can import
    [step] = model.pull
    [(function, _)] = step.items()
    module, _, name = function.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))


def test_prefect_yaml_entrypoint_is_the_refresh_flow(deployment_entry: dict[str, Any]) -> None:
    assert deployment_entry["entrypoint"] == "flows/refresh.py:refresh"
    assert _flow_at(deployment_entry["entrypoint"]) is refresh


def test_prefect_yaml_schedule_is_hourly_in_vietnam_time(deployment_entry: dict[str, Any]) -> None:
    [schedule] = deployment_entry["schedules"]
    assert schedule["cron"] == DEFAULT_CRON
    parsed = CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
    assert (parsed.cron, parsed.timezone) == ("0 * * * *", "Asia/Ho_Chi_Minh")
    # as `prefect deploy` turns it into a deployment schedule (private too, as above)
    from prefect.cli.deploy._schedules import _schedule_config_to_deployment_schedule

    converted = _schedule_config_to_deployment_schedule(schedule)
    assert converted["schedule"] == parsed
    assert converted["active"] is True


def test_prefect_yaml_parameters_are_the_flows(deployment_entry: dict[str, Any]) -> None:
    parameters = deployment_entry["parameters"]
    assert parameters == {"sources_file": "sources.yaml", "output": "data/tables", "archive_dir": DEFAULT_ARCHIVE}
    validated = refresh.validate_parameters(parameters)
    assert validated.items() >= parameters.items()
    # relative to the working directory the pull step sets: the repository root
    sources = PROJECT / parameters["sources_file"]
    assert sources.is_file()
    assert load_sources(sources), "the default sources file lists no source"


def test_serve_without_a_prefect_server_says_how_to_start_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The temporary server of a single run has no scheduler: serving on it would never run."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert main(["serve", "--input", "data/raw", "--runner", "threads"]) == 2
    assert "prefect server start" in capsys.readouterr().err


def test_prefect_yaml_compacts_the_refreshed_tables_daily(project_file: dict[str, Any]) -> None:
    from flows.compact import compact_tables

    [entry] = [d for d in project_file["deployments"] if d["name"] == "solieu-compact"]
    assert _flow_at(entry["entrypoint"]) is compact_tables
    [refresh_entry] = [d for d in project_file["deployments"] if d["name"] == DEPLOYMENT_NAME]
    assert entry["parameters"]["output"] == refresh_entry["parameters"]["output"]
    assert compact_tables.validate_parameters(entry["parameters"]).items() >= entry["parameters"].items()
    [schedule] = entry["schedules"]
    parsed = CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
    assert parsed.cron.split()[2:] == ["*", "*", "*"]  # once a day
