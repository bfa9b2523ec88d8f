"""Shared test setup: a quiet, offline Prefect and the `../shared` folder.

The environment variables below must be set before Prefect (or Great Expectations)
is imported anywhere, which is why they live at the top of conftest.py.
"""

from __future__ import annotations

import os

# No analytics, no telemetry: the only network these tests may use is the local Prefect server.
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).parents[1].parent / "shared"


def shared_path() -> Path:
    """`../shared` beside the project; skips the calling test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found: {SHARED}")
    return SHARED


@pytest.fixture
def memory_output() -> Iterator[str]:
    """An output on fsspec's in-memory object store, removed afterwards."""
    import uuid

    import fsspec

    root = f"memory://solieu-test-{uuid.uuid4().hex[:8]}"
    yield f"{root}/tables"
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The `../shared` folder (spec, corpus, gold); the test is skipped without it."""
    return shared_path()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server with a throw-away SQLite database for the session.

    Measured (flows/refresh.py over 8 small documents, 3 runs in one process): without
    the harness a flow run starts an ephemeral server on the first run (~10-14 s for the
    first run including the ~5 s Great Expectations import, ~2-3 s after) and records its
    runs in the user's ~/.prefect/prefect.db, or on whatever server PREFECT_API_URL names.
    The harness costs ~13-17 s once (fresh database, migrations) and runs then take the
    same ~2-3 s; it is ~8 s slower per session but isolates the runs from the user's
    Prefect database and profile. Requested only by tests that run a flow, so the other
    test modules never pay for it.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@contextmanager
def threaded_http_server() -> Iterator[Any]:
    """A pytest-httpserver on 127.0.0.1 that answers requests at the same time (the
    default fixture answers them in turn, so one hung handler would block the rest)."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        server.stop()
