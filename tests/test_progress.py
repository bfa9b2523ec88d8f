"""A run's progress: a bar in a terminal, log lines without one, a Prefect artifact."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path

import pytest

import flows.progress
import flows.refresh
import transform.batch
from flows.progress import ARTIFACT_KEY, RunProgress
from flows.refresh import refresh

LOGGER = logging.getLogger("test-progress")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_says_done_of_total_rate_time_left_and_rejects() -> None:
    clock = FakeClock()
    progress = RunProgress(1000, LOGGER, tty=False, artifact=False, log_every=3600, clock=clock)
    with progress:
        clock.now += 10
        progress.advance(250, rejects=3)
        assert progress.line() == "extract: 250 of 1,000 documents (25%), 25 docs/s, 30s left, 3 rejects"
        clock.now += 50
        progress.advance(750, rejects=1)
        assert progress.line(final=True) == "extract: 1,000 of 1,000 documents (100%), 17 docs/s, in 1m00s, 4 rejects"


def test_without_a_terminal_it_logs_a_line_every_few_seconds(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()  # not a TTY
    with (
        caplog.at_level(logging.INFO, logger=LOGGER.name),
        RunProgress(10, LOGGER, stream=stream, artifact=False, log_every=0.02) as progress,
    ):
        progress.advance(4, rejects=1)
        time.sleep(0.2)
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER.name]
    assert len(lines) >= 3  # ticks while nothing came back, then the last line
    assert all(line.startswith("extract: ") for line in lines)
    assert "4 of 10 documents" in lines[0] and lines[0].endswith("1 rejects")
    assert "in " in lines[-1]
    assert stream.getvalue() == ""  # no bar drawn into a log file


def test_in_a_terminal_it_draws_a_bar() -> None:
    stream = io.StringIO()
    with RunProgress(20, LOGGER, stream=stream, tty=True, artifact=False) as progress:
        progress.advance(20, rejects=2)
    drawn = stream.getvalue()
    assert "20/20" in drawn and "2 rejects" in drawn and "docs/s" in drawn


def test_the_bar_shares_the_log_console_and_its_theme_survives(caplog: pytest.LogCaptureFixture) -> None:
    """Prefect's console log handler has a theme of its own, without rich's defaults: the
    bar drawn on it must bring its styles (it failed the run with MissingStyle), and
    leave the handler's theme as it was."""
    from rich.console import Console
    from rich.theme import Theme

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.console = Console(file=stream, theme=Theme({"log.level": "red"}, inherit=False))  # type: ignore[attr-defined]
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with caplog.at_level(logging.WARNING), RunProgress(5, LOGGER, stream=stream, tty=True, artifact=False) as p:
            p.advance(5)
            assert handler.console.get_style("bar.back")  # the bar is drawn on the handler's console
        assert not [r for r in caplog.records if "progress bar" in r.getMessage()]
        assert "5/5" in stream.getvalue()
        with pytest.raises(Exception, match=r"bar\.back"):
            handler.console.get_style("bar.back")  # popped again
    finally:
        root.removeHandler(handler)


def _progress_artifacts() -> list[object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY])))


@pytest.mark.flow
def test_a_run_logs_progress_and_updates_its_artifact(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(4):
        (corpus / f"doc-{n}.txt").write_text(
            f" date 2025-03-1{n} Tỉnh Bắc Vân đã xây {n + 12} trường học mới trong năm 2024.", encoding="utf-8"
        )
    (corpus / "empty.txt").write_bytes(b"")  # a reject
    real = transform.batch.process_batch

    def slow_batch(*args: object, **kwargs: object) -> object:
        time.sleep(0.3)  # long enough for the timer's lines
        return real(*args, **kwargs)

    monkeypatch.setattr(transform.batch, "process_batch", slow_batch)
    monkeypatch.setattr(flows.progress, "LOG_EVERY", 0.1)
    before = len(_progress_artifacts())
    with caplog.at_level(logging.INFO, logger="prefect.flow_runs"):  # the tests' Prefect logs warnings only
        summary = refresh(inputs=[str(corpus)], output=str(tmp_path / "tables"), batch_size=1, report=False)
    assert summary.published
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("extract: ")]
    assert len(lines) >= 2
    assert lines[-1].startswith("extract: 5 of 5 documents (100%)") and lines[-1].endswith(", 1 rejects")

    artifacts = _progress_artifacts()
    assert len(artifacts) == before + 1
    newest = max(artifacts, key=lambda a: a.created)
    assert newest.type == "progress" and float(newest.data) == 100.0
