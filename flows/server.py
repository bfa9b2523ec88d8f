"""One Prefect API for a whole run, worker processes included, started early.

Without a configured server (PREFECT_API_URL), Prefect starts a temporary local one
for the flow. The worker processes of the `local` runner do not inherit it: each
started its own temporary server (about 220 MB each, measured), so a run on two
cores kept three. Starting the temporary server here and naming it in the settings
that workers inherit keeps one.

Starting it ourselves also makes it cheaper. The server process takes about 6 s to
come up; it starts before the run imports Prefect, its server modules (2.7 s) and its
own modules, so these overlap instead of adding up. A rerun with nothing new is
mostly this start-up.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

_PORT_IN_USE = 3  # uvicorn's exit status when it cannot bind its port


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TemporaryServer:
    """A Prefect API server in a subprocess, on a free local port, started as Prefect
    starts its own temporary one (same command and environment)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = self._launch()
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        # as prefect.server.api.server.SubprocessASGIServer sets them: no UI, a server for one run
        environment = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
        environment["PREFECT__SERVER_FINAL"] = "1"
        return subprocess.Popen(command, env=environment)

    def wait(self, timeout: float = 90) -> str:
        """Block until the API answers; its URL. Raises RuntimeError if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.process.poll()
            if status == _PORT_IN_USE:  # another process took the port meanwhile
                self.port = _free_port()
                self.process = self._launch()
            elif status is not None:
                raise RuntimeError(f"the temporary Prefect server exited with status {status}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return self.api_url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the temporary Prefect server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_early() -> TemporaryServer | None:
    """A temporary server starting now, unless the environment names a server. Call it
    first thing, before importing Prefect; `shared_api` waits for it."""
    return None if os.environ.get("PREFECT_API_URL") else TemporaryServer()


@contextmanager
def shared_api(server: TemporaryServer | None = None) -> Iterator[str | None]:
    """Within: every process of the run talks to one API. Yields its URL (None when
    Prefect is configured for a server already, which workers inherit as it is).
    `server` is one `start_early` started; without it one starts here."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url:  # a profile may name one, too
        if server is not None:
            server.stop()
        yield None
        return
    server = server or TemporaryServer()
    # Imported while the server starts. Prefect code that runs outside these settings
    # (the process pool's event forwarding thread) asks this class for "the" temporary
    # server: it must get ours, or it starts a second (220 MB). Prefect's test harness
    # registers its server the same way.
    from prefect.server.api.server import SubprocessASGIServer

    api_url = server.wait()
    registered = SubprocessASGIServer(port=server.port)
    registered.server_process, registered.running = server.process, True
    SubprocessASGIServer._instances[None] = registered
    # It stops at exit (registered before Prefect's own exit handlers, so after them):
    # Prefect still sends the run's last logs and events when the flow has returned.
    with temporary_settings({PREFECT_API_URL: api_url}):
        yield api_url
