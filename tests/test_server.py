"""The temporary Prefect server a run starts early (`flows.server`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from flows import server as server_module
from flows.server import TemporaryServer, start_early

REPO = Path(__file__).resolve().parents[1]


def test_no_server_is_started_when_the_environment_names_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_early() is None


def test_a_taken_port_is_replaced_and_the_api_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        free_port = server_module._free_port
        monkeypatch.setattr(server_module, "_free_port", lambda: next(ports, None) or free_port())
        server = TemporaryServer()
        try:
            assert server.port == taken.getsockname()[1]
            url = server.wait(timeout=90)
            assert server.port != taken.getsockname()[1]  # uvicorn could not bind it: a new port
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                assert json.load(response) is True
        finally:
            server.stop()
    assert server.process.poll() is not None


REGISTERED = """
from flows.server import TemporaryServer, shared_api
from prefect.server.api.server import SubprocessASGIServer

server = TemporaryServer()
with shared_api(server) as url:
    asked = SubprocessASGIServer()  # what Prefect code outside the run's settings gets
    assert asked.running and asked.port == server.port and asked.api_url == url, (asked.port, server.port)
print("one server", url)
"""


def test_prefect_asking_for_a_temporary_server_gets_the_runs(tmp_path: Path) -> None:
    """Prefect threads outside the run's settings ask for "the" temporary server; they
    must get the run's, not start a second. Run apart: this test session may have a
    server configured, and the registration is process-wide."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PREFECT_API")}
    environment["PREFECT_HOME"] = str(tmp_path)  # a throw-away database
    done = subprocess.run(
        [sys.executable, "-c", REGISTERED], env=environment, cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("one server http://127.0.0.1:")
