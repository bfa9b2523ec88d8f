"""One Prefect API for a whole run, worker processes included, started early.

Without a configured server, Prefect starts a temporary local one for a flow, and every
process or thread that finds no server configured starts another: the worker
processes of the `local` runner did (about 220 MB each, measured), and so did the
process pool's event-forwarding thread, which runs outside the flow's settings. A run
therefore starts its own server first thing and names it in `PREFECT_API_URL` before
Prefect's client is used: Prefect reads its settings from the environment, so the flow,
its threads and its worker processes all talk to this one server, through public
settings only.

Starting it first also makes it cheaper: the server takes about 6 s to come up, and it
does so while the run imports Prefect and its own modules. A rerun with nothing new is
mostly this start-up.

If the server dies during a run, Prefect's client retries and the run would hang; a
watchdog notices and interrupts the run instead (`ServerLost`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

# What makes the server a temporary one for a single run, as public settings: no UI,
# and none of the services that act on schedules, late or crashed runs (Prefect's own
# temporary server runs only the event and task-run services too).
TEMPORARY_SERVER_SETTINGS = {
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED": "false",
    # no network but the registries: its heartbeat only logged errors (and met a locked database)
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
WATCH_INTERVAL = 0.5  # seconds between looks at the run's server
UNREACHABLE_AFTER = 30.0  # seconds a configured server may fail its health check before the run stops
# After the interrupt, the run's own clean-up (staging, lock) runs at once, but Prefect
# then retries reporting the crash to the lost server for over a minute: past this
# grace the process ends itself, and its worker processes with it.
GRACE_AFTER_LOSS = 10.0
EXIT_SERVER_LOST = 4  # `solieu run`'s exit status when its Prefect server went away


class ServerLost(RuntimeError):
    """The Prefect server went away during the run."""


class TemporaryServer:
    """A Prefect API server in a subprocess, on a loopback socket bound here and handed
    to uvicorn (`--fd`): the port is known before the server starts, and no other
    process can take it meanwhile."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self.port: int = self._socket.getsockname()[1]
        self.process = self._launch()
        self._socket.close()  # the server holds its own copy
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen[bytes]:
        # `create_app` is the factory `prefect server start` serves, here under uvicorn
        # directly: Prefect's CLI would add its own import time to the start-up
        command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app"]
        command += ["--fd", str(self._socket.fileno()), "--log-level", "error", "--lifespan", "on"]
        environment = {**os.environ, **TEMPORARY_SERVER_SETTINGS}
        environment.pop("PREFECT_API_URL", None)
        return subprocess.Popen(command, env=environment, pass_fds=(self._socket.fileno(),))

    def wait(self, timeout: float = 90) -> str:
        """Block until the API answers; its URL. Raises RuntimeError if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.process.poll()
            if status is not None:
                raise RuntimeError(f"the temporary Prefect server exited with status {status}")
            if _healthy(self.api_url):
                return self.api_url
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


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def start_early() -> TemporaryServer | None:
    """A temporary server starting now, named in `PREFECT_API_URL` for everything the run
    starts after it, unless a server is configured already (the environment, a Prefect
    profile or `prefect.toml`). Call it first thing, before importing Prefect's client:
    its settings are read once, on import. `shared_api` waits for it."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    server = TemporaryServer()
    from prefect.settings import Settings  # about 0.7 s, while the server boots

    if Settings().api.url:
        server.stop()
        return None
    _name_in_environment(server.api_url)
    return server


def _name_in_environment(api_url: str) -> None:
    """`api_url` for everything in this process and the processes it starts. Prefect
    read the environment into its global settings when it was imported; its public
    `refresh_global_settings_context` reads it again."""
    from prefect.context import refresh_global_settings_context

    os.environ["PREFECT_API_URL"] = api_url
    refresh_global_settings_context()


class _Watchdog:
    """Interrupts the main thread (SIGINT) when the run's server is gone: its process
    exited, or, for a server configured elsewhere, its health check failed for
    UNREACHABLE_AFTER seconds. Prefect's client would otherwise retry for ever."""

    def __init__(self, api_url: str, server: TemporaryServer | None) -> None:
        self.api_url, self.server = api_url, server
        self.lost: str | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="solieu-server-watchdog", daemon=True)

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopped.set()

    def _watch(self) -> None:
        failing_since: float | None = None
        while not self._stopped.wait(WATCH_INTERVAL):
            if self.server is not None:
                status = self.server.process.poll()
                if status is not None:
                    self._lose(f"the run's Prefect server exited with status {status}")
                    return
                continue
            if _healthy(self.api_url):
                failing_since = None
            elif failing_since is None:
                failing_since = time.monotonic()
            elif time.monotonic() - failing_since > UNREACHABLE_AFTER:
                self._lose(f"the Prefect server at {self.api_url} has not answered for {UNREACHABLE_AFTER:.0f} s")
                return

    def _lose(self, why: str) -> None:
        if self._stopped.is_set():
            return
        self.lost = why
        os.kill(os.getpid(), signal.SIGINT)  # a real signal: it wakes a main thread blocked on a lock
        if self._stopped.wait(GRACE_AFTER_LOSS):
            return  # the run ended within the grace; its caller reports ServerLost
        print(f"solieu: {why}; the run stopped and published nothing. Run it again.", file=sys.stderr, flush=True)
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()
        os._exit(EXIT_SERVER_LOST)


@contextmanager
def shared_api(server: TemporaryServer | None = None) -> Iterator[str | None]:
    """Within: every process of the run talks to one API, and the run stops with
    `ServerLost` if that API goes away. Yields its URL (None when Prefect is configured
    for a server of the user's, which workers inherit as it is). `server` is one
    `start_early` started; without it one starts here."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    configured = get_current_settings().api.url
    if server is None and configured:  # the user's server, or one named by a caller
        with _Watchdog(configured, None) as watchdog, _lost_as(watchdog):
            yield None
        return
    server = server or TemporaryServer()
    api_url = server.wait()
    _name_in_environment(api_url)
    # It stops at exit, not here: Prefect still sends the run's last logs and events
    # when the flow has returned.
    with temporary_settings({PREFECT_API_URL: api_url}), _Watchdog(api_url, server) as watchdog, _lost_as(watchdog):
        yield api_url


@contextmanager
def _lost_as(watchdog: _Watchdog) -> Iterator[None]:
    """The watchdog's interrupt, raised as `ServerLost` with its reason."""
    try:
        yield
    except BaseException as interrupted:  # KeyboardInterrupt, or what Prefect made of it
        if watchdog.lost:
            raise ServerLost(watchdog.lost) from interrupted
        raise
