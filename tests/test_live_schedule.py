"""A schedule that fires: `prefect server start`, `solieu serve --cron`, a scheduled run.

What a user does with the README's commands, on real processes: a Prefect server on a
free loopback port with its scheduler, `solieu serve` serving the refresh flow every
minute, and the tables the scheduled run publishes. Bounded: the run must come within
150 s of serving.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCHEDULED_RUN_WITHIN = 150.0  # seconds from serving to published tables


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process and everything it started (it leads its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A real `prefect server start` with a throw-away home; yields the environment that
    names it."""
    port = _free_port()
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PREFECT_API")}
    environment |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "GX_ANALYTICS_ENABLED": "false",
    }
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{environment['PREFECT_API_URL']}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("prefect server start did not answer within 120 s")
        yield environment
    finally:
        _stop(server)
        log.close()


@pytest.mark.flow
def test_a_served_schedule_fires_and_publishes(tmp_path: Path, prefect_server: dict[str, str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for article in sorted((REPO / "data" / "raw").glob("*.txt")):
        shutil.copy(article, corpus)
    output = tmp_path / "tables"
    serve_log = (tmp_path / "serve.log").open("wb")
    command = [str(BIN / "solieu"), "serve", "--input", str(corpus), "--output", str(output)]
    command += ["--cron", "* * * * *", "--runner", "threads", "--name", "every-minute"]
    serving = subprocess.Popen(
        command, env=prefect_server, cwd=tmp_path, stdout=serve_log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + SCHEDULED_RUN_WITHIN
        while not (output / "articles").exists() and time.monotonic() < deadline:
            assert serving.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(1)
        assert (output / "articles").exists(), (
            f"no scheduled run published within {SCHEDULED_RUN_WITHIN:.0f} s:\n"
            + (tmp_path / "serve.log").read_text()[-3000:]
        )
        time.sleep(1)  # the link is swapped when the version is complete; let the run finish its report
        articles = pq.read_table(output / "articles")
        figures = pq.read_table(output / "figures")
        assert articles.num_rows == len(list(corpus.glob("*.txt")))
        assert figures.num_rows > 0

        deployments = _prefect(prefect_server, "deployment", "ls")
        assert "every-minute" in deployments
        # the run that published is listed as completed (it may still be reporting its end)
        deadline = time.monotonic() + 30
        while True:
            listing = ["flow-run", "ls", "--flow-name", "refresh", "--state-type", "COMPLETED", "--output", "json"]
            runs = json.loads(_prefect(prefect_server, *listing))
            if runs or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert runs, _prefect(prefect_server, "flow-run", "ls")
        assert all(run["deployment_id"] for run in runs)  # scheduled runs of the deployment, not ad hoc ones
        assert "Flow Runs" in _prefect(prefect_server, "flow-run", "ls")  # the plain listing a user types
    finally:
        _stop(serving)
        serve_log.close()


def _prefect(environment: dict[str, str], *arguments: str) -> str:
    """What a `prefect` CLI command prints; it must succeed (3.8.8's API answered 422)."""
    done = subprocess.run(
        [str(BIN / "prefect"), *arguments], env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (arguments, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout
