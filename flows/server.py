"""One Prefect API for a whole run, worker processes included.

Without a configured server (PREFECT_API_URL), Prefect starts a temporary local one
for the flow. The worker processes of the `local` runner do not inherit it: each
started its own temporary server (about 220 MB each, measured), so a run on two
cores kept three. Starting the temporary server here and naming it in the settings
that workers inherit keeps one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings


@contextmanager
def shared_api() -> Iterator[str | None]:
    """Within: every process of the run talks to one API. Yields its URL (None when
    Prefect is configured for a server already, which workers inherit as it is)."""
    if get_current_settings().api.url:
        yield None
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the same instance Prefect's client would start
    server.start(timeout=90)
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield server.api_url
