"""How far a run's extraction is: documents done of total, rate, time left, rejects.

Three views of one count, all updated by the flow as batches come back:

- in a terminal (stderr is a TTY), a live rich progress bar;
- otherwise (a log file, a scheduled run), one log line every LOG_EVERY seconds, from a
  timer thread, so that a long batch still shows the run is alive;
- a Prefect progress artifact (percent done), for the run's page in the UI; updated at
  most every ARTIFACT_EVERY seconds, since each update is a request to the server.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO
from uuid import UUID

LOG_EVERY = 5.0  # seconds between progress lines without a terminal
ARTIFACT_EVERY = 2.0  # seconds between updates of the Prefect progress artifact
ARTIFACT_KEY = "solieu-extract-progress"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def _log_console(stream: TextIO) -> Any:
    """The rich Console of Prefect's console log handler, when it writes to `stream`. The
    bar drawn on that console has the run's log lines printed above it; on a console of
    its own, each log line would be written into the bar's line and leave a copy of it."""
    from rich.console import Console

    for logger in (logging.getLogger("prefect"), logging.getLogger()):
        for handler in logger.handlers:
            console = getattr(handler, "console", None)
            if isinstance(console, Console) and getattr(handler, "stream", None) is stream:
                return console
    return None


class RunProgress:
    """Progress of `total` documents; use as a context manager around the extraction and
    call `advance` as each batch comes back. `tty` decides bar or log lines (by default,
    whether `stream` is a terminal); `artifact=False` creates no Prefect artifact (outside
    a flow run there is none to attach it to)."""

    def __init__(
        self,
        total: int,
        logger: logging.Logger | logging.LoggerAdapter[Any],
        *,
        stream: TextIO | None = None,
        tty: bool | None = None,
        artifact: bool = True,
        log_every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.done = 0
        self.rejects = 0
        self._logger = logger
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty() if tty is None else tty
        self._artifact = artifact
        self._artifact_id: UUID | None = None
        self._artifact_at = 0.0
        self._log_every = LOG_EVERY if log_every is None else log_every
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._bar: Any = None  # rich.progress.Progress, in a terminal
        self._bar_task: Any = None
        self._theme_pushed = False  # on Prefect's log console, popped when the bar stops

    # --- the three views ----------------------------------------------------------------

    def __enter__(self) -> RunProgress:
        self._started = self._clock()
        if self._artifact:
            self._artifact_id = self._create_artifact()
        if self._tty:
            try:
                self._bar, self._bar_task = self._start_bar()
            except Exception as error:  # a view must never fail the run: log lines instead
                self._logger.warning("progress bar not shown: %s", error)
        if self._bar is None:
            self._ticker = threading.Thread(target=self._tick, name="solieu-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        if self._bar is not None:
            try:
                self._bar.stop()
            finally:
                if self._theme_pushed:
                    self._bar.console.pop_theme()
        if kind is None:  # a stopped or failed run says so elsewhere; the last line is for a finished one
            self._logger.info("%s", self.line(final=True))
            self._update_artifact(force=True)

    def advance(self, documents: int, rejects: int = 0) -> None:
        """`documents` more are done, `rejects` of them rejected."""
        with self._lock:
            self.done += documents
            self.rejects += rejects
        if self._bar is not None:
            try:
                self._bar.update(
                    self._bar_task, completed=self.done, rejects=self.rejects, rate=f"{self._rate():,.0f} docs/s"
                )
            except Exception as error:  # as in __enter__
                self._logger.warning("progress bar not updated: %s", error)
        self._update_artifact()

    def line(self, *, final: bool = False) -> str:
        """`extract: 1,500 of 35,316 documents (4%), 310 docs/s, 1m49s left, 3 rejects`."""
        with self._lock:
            done, rejects = self.done, self.rejects
        elapsed = self._clock() - self._started
        rate = self._rate()
        percent = 100 * done / self.total if self.total else 100.0
        text = f"extract: {done:,} of {self.total:,} documents ({percent:.0f}%), {rate:,.0f} docs/s"
        if final:
            text += f", in {_duration(elapsed)}"
        elif rate > 0:
            text += f", {_duration((self.total - done) / rate)} left"
        return text + f", {rejects:,} rejects"

    def _tick(self) -> None:
        while not self._stop.wait(self._log_every):
            self._logger.info("%s", self.line())

    def _start_bar(self) -> tuple[Any, Any]:
        from rich.console import Console
        from rich.default_styles import DEFAULT_STYLES
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.theme import Theme

        console = _log_console(self._stream)
        if console is None:
            console = Console(file=self._stream)
        else:  # Prefect's theme has none of the bar's styles: add them (and only them) while it shows
            bar_styles = {k: v for k, v in DEFAULT_STYLES.items() if k.startswith(("bar.", "progress."))}
            console.push_theme(Theme(bar_styles, inherit=False))
            self._theme_pushed = True
        bar = Progress(
            TextColumn("extract"),
            BarColumn(bar_width=24),  # the counts fit an 80-column terminal
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TextColumn("left"),
            TextColumn("{task.fields[rejects]} rejects"),
            console=console,
            transient=False,
        )
        # the rate column is documents per second over the whole run, not rich's 30 s
        # window: batches arrive in bursts of hundreds
        try:
            task = bar.add_task("extract", total=self.total, completed=self.done, rejects=self.rejects, rate="")
            bar.start()
        except BaseException:
            if self._theme_pushed:
                console.pop_theme()
                self._theme_pushed = False
            raise
        return bar, task

    def _rate(self) -> float:
        return self.done / max(self._clock() - self._started, 1e-9)

    # --- the Prefect artifact -----------------------------------------------------------

    def _create_artifact(self) -> UUID | None:
        from prefect.artifacts import create_progress_artifact

        try:
            return create_progress_artifact(0.0, key=ARTIFACT_KEY, description=self._description())
        except Exception as error:  # the UI's view only: a run does not fail for it
            self._logger.warning("progress artifact not created: %s", error)
            return None

    def _update_artifact(self, *, force: bool = False) -> None:
        if self._artifact_id is None:
            return
        now = self._clock()
        if not force and now - self._artifact_at < ARTIFACT_EVERY:
            return
        self._artifact_at = now
        from prefect.artifacts import update_progress_artifact

        percent = 100 * self.done / self.total if self.total else 100.0
        try:
            update_progress_artifact(self._artifact_id, percent, description=self._description())
        except Exception as error:  # as above
            self._logger.warning("progress artifact not updated: %s", error)
            self._artifact_id = None

    def _description(self) -> str:
        return f"documents extracted: {self.done:,} of {self.total:,}, {self.rejects:,} rejects"
