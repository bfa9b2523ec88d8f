"""The temporary Prefect server a run starts early (`flows.server`)."""

from __future__ import annotations

import json
import socket
import urllib.request

import pytest

from flows import server as server_module
from flows.server import TemporaryServer, start_early


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
