"""The temporary Prefect server a run starts early (`flows.server`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from flows.server import EXIT_SERVER_LOST, TEMPORARY_SERVER_SETTINGS, TemporaryServer, start_early

REPO = Path(__file__).resolve().parents[1]


def _clean_environment(tmp_path: Path) -> dict[str, str]:
    """No server configured, and a throw-away Prefect home (database, profiles)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PREFECT_API")}
    environment["PREFECT_HOME"] = str(tmp_path)
    return environment


def test_no_server_is_started_when_the_environment_names_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_early() is None


def test_the_temporary_server_settings_are_prefect_settings() -> None:
    """They are public settings; a rename in Prefect would silently turn a setting off."""
    from prefect.settings import Settings

    known = Settings().to_environment_variables(exclude_unset=False)
    assert set(TEMPORARY_SERVER_SETTINGS) <= set(known), set(TEMPORARY_SERVER_SETTINGS) - set(known)


def test_the_server_answers_on_the_port_bound_before_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    server = TemporaryServer()
    try:
        port = server.port
        url = server.wait(timeout=90)
        assert url == f"http://127.0.0.1:{port}/api"
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            assert json.load(response) is True
    finally:
        server.stop()
    assert server.process.poll() is not None


ONE_SERVER = """
import os, threading
from flows.server import start_early, shared_api

server = start_early()
assert server is not None and os.environ["PREFECT_API_URL"] == server.api_url
from prefect import flow, task
from prefect.settings import get_current_settings
from flows.runners import make_task_runner

seen = {}
thread = threading.Thread(target=lambda: seen.update(thread=get_current_settings().api.url))
thread.start(); thread.join()  # a thread outside any settings context, as Prefect's own threads are

@task
def api_url_in_worker() -> str:
    return get_current_settings().api.url

@flow
def probe() -> str:
    return api_url_in_worker.submit().result()

with shared_api(server) as url:
    worker = probe.with_options(task_runner=make_task_runner("local", workers=1))()
assert seen["thread"] == url == worker == server.api_url, (seen, url, worker, server.api_url)
print("one server", url)
"""


def test_a_run_its_threads_and_its_workers_share_one_server(tmp_path: Path) -> None:
    """Prefect code outside the flow's settings (threads, worker processes) reads the
    environment: it must find the run's server there, not start a second. Run apart: the
    environment is process-wide, and this test session may have a server configured."""
    done = subprocess.run(
        [sys.executable, "-c", ONE_SERVER],
        env=_clean_environment(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("one server http://127.0.0.1:")


SERVER_DIES = """
import time
from flows.server import ServerLost, shared_api, start_early

server = start_early()
from prefect import flow, task

@task
def slow() -> None:
    time.sleep(120)

@flow
def waits_on_a_task() -> None:
    slow.submit().result()

try:
    with shared_api(server):
        print("server up", flush=True)
        waits_on_a_task()
except ServerLost as lost:
    print("lost:", lost, flush=True)
    raise SystemExit(7)
"""


def test_a_run_whose_server_dies_stops_instead_of_hanging(tmp_path: Path) -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", SERVER_DIES],
        env=_clean_environment(tmp_path),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None
        assert run.stdout.readline().startswith("server up")
        time.sleep(3)  # the flow is waiting on its task
        import psutil

        servers = [c for c in psutil.Process(run.pid).children() if "uvicorn" in " ".join(c.cmdline())]
        assert len(servers) == 1, [c.cmdline() for c in psutil.Process(run.pid).children()]
        servers[0].kill()
        started = time.monotonic()
        out, err = run.communicate(timeout=60)
        assert time.monotonic() - started < 30
        # the task still sleeps in its thread: past the grace the process ends itself
        assert run.returncode == EXIT_SERVER_LOST, (out, err[-3000:])
        assert "solieu: the run's Prefect server exited with status -9; the run stopped" in err
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
