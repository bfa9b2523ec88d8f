"""Publishing that survives killed and overlapping runs, the output lock, and a command
line that fails clearly (issue 10).

Every input is built here: small tables, staging folders of processes that were killed
on purpose, lock holders in subprocesses, and a generated corpus for the SIGTERM test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import flows.refresh
from flows.cli import EXIT_BAD_OPTION, EXIT_LOCKED, EXIT_RUN_FAILED, EXIT_TERMINATED, main
from transform import publish
from transform.publish import (
    COMPLETE,
    KEEP_VERSIONS,
    OWNER,
    PARTS,
    POINTER,
    STAGING_SUFFIX,
    OutputLocked,
    current_version,
    discard_staged,
    lock_holder,
    lock_output,
    new_run_id,
    publish_staged,
    stage_tables,
    versions_dir,
)
from transform.schemas import TABLES

PROJECT = Path(__file__).parents[1]
PYTHON = sys.executable


def tables_with(marker: str) -> dict[str, pa.Table]:
    """Empty tables but for one rejects row whose detail names the version: which set a
    reader sees is then visible."""
    tables = {name: schema.empty_table() for name, schema in TABLES.items()}
    row = {"source_uri": f"/docs/{marker}.txt", "reason": "empty", "detail": marker, "seen_at": datetime.now(UTC)}
    schema = TABLES["rejects"]
    tables["rejects"] = pa.Table.from_pylist([{n: row.get(n) for n in schema.names}], schema=schema)
    return tables


def published_marker(output: Path) -> str:
    return pq.read_table(output / "rejects").column("detail")[0].as_py()


def run_python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-c", code, *args], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def process_start(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]


# --- 1. a run killed while staging ------------------------------------------------------

# Stages a version and kills itself (SIGKILL: no cleanup runs) after the first table.
KILLED_WHILE_STAGING = """
import os, signal, sys
import pyarrow.parquet as pq
from transform.publish import stage_tables
from transform.schemas import TABLES
written = []
real = pq.ParquetWriter.close
def write_then_die(self, *args, **kwargs):  # the first part is on disk, then the run dies
    real(self, *args, **kwargs)
    written.append(1)
    if len(written) == 1:
        os.kill(os.getpid(), signal.SIGKILL)
pq.ParquetWriter.close = write_then_die
stage_tables({n: s.empty_table() for n, s in TABLES.items()}, sys.argv[1])
"""


def test_a_killed_run_leaves_a_partial_version_that_the_next_run_removes(tmp_path: Path) -> None:
    output = tmp_path / "tables"
    publish_staged(stage_tables(tables_with("v1"), output), output)
    publish_staged(stage_tables(tables_with("v2"), output), output)
    good = output.resolve()

    killed = run_python(KILLED_WHILE_STAGING, str(output))
    killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.read() if killed.stderr else ""
    [partial] = [p for p in versions_dir(output).iterdir() if p.name.endswith(STAGING_SUFFIX)]
    assert (partial / OWNER).is_file() and any(partial.rglob("*.parquet")), "the run died before writing a table"
    assert partial.name > good.name, "the partial version must be the newest, as in the reported case"

    publish_staged(stage_tables(tables_with("v3"), output), output)
    assert published_marker(output) == "v3"
    names = sorted(p.name for p in versions_dir(output).iterdir())
    assert good.name in names, "the previous good version was deleted"
    assert partial.name not in names, "the partial version of a dead process was kept"
    assert len(names) == KEEP_VERSIONS
    assert pq.read_table(good / "rejects").column("detail")[0].as_py() == "v2"  # still readable


def _fake_staging(versions: Path, owner: dict[str, object], started: datetime | None = None) -> Path:
    folder = versions / f"{new_run_id(started)}{STAGING_SUFFIX}"
    (folder / "articles").mkdir(parents=True)
    (folder / OWNER).write_text(json.dumps(owner))
    return folder


def test_pruning_keeps_live_staging_and_removes_only_what_is_provably_abandoned(tmp_path: Path) -> None:
    output = tmp_path / "tables"
    publish_staged(stage_tables(tables_with("v1"), output), output)
    versions = versions_dir(output)
    host = socket.gethostname()
    live = subprocess.Popen([PYTHON, "-c", "import time; time.sleep(60)"])
    try:
        live_staging = _fake_staging(
            versions, {"host": host, "pid": live.pid, "process_start": process_start(live.pid)}
        )
        # this very process, as a thread of another run in it would record itself
        own_staging = _fake_staging(
            versions, {"host": host, "pid": os.getpid(), "process_start": process_start(os.getpid())}
        )
        # a pid that is alive but is another process (the pid was reused): abandoned
        reused = _fake_staging(versions, {"host": host, "pid": live.pid, "process_start": "1"})
        # another host cannot be asked: kept while young, removed when older than ABANDONED_AFTER
        elsewhere_young = _fake_staging(versions, {"host": "elsewhere.invalid", "pid": 1})
        old = datetime.now(UTC) - publish.ABANDONED_AFTER - timedelta(hours=1)
        elsewhere_old = _fake_staging(versions, {"host": "elsewhere.invalid", "pid": 1}, started=old)

        publish_staged(stage_tables(tables_with("v2"), output), output)
        left = {p.name for p in versions.iterdir()}
        assert {live_staging.name, own_staging.name, elsewhere_young.name} <= left
        assert reused.name not in left and elsewhere_old.name not in left
    finally:
        live.kill()
        live.wait()
    publish_staged(stage_tables(tables_with("v3"), output), output)
    assert live_staging.name not in {p.name for p in versions.iterdir()}, "its owner is gone now"


def test_versions_are_ordered_by_run_id_not_modification_time(tmp_path: Path) -> None:
    output = tmp_path / "tables"
    for marker in ("v1", "v2"):
        publish_staged(stage_tables(tables_with(marker), output), output)
    previous = output.resolve()
    os.utime(previous, (1, 1))  # an mtime that would make it the oldest
    publish_staged(stage_tables(tables_with("v3"), output), output)
    assert previous.is_dir(), "the version before the current one was pruned by its mtime"


def _publish_from_threads_while_reading(
    output: str | Path, rounds: int, read_continuously: Callable[[], None], stop: threading.Event, errors: list
) -> None:
    """Three threads each stage and publish `rounds` versions to `output` while
    `read_continuously` runs in a fourth, until the publishers are done."""

    def publisher(name: str) -> None:
        try:
            for i in range(rounds):
                publish_staged(stage_tables(tables_with(f"{name}-{i}"), output), output)
        except Exception as error:  # reported by the caller; a thread's exception would be lost
            errors.append(error)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    publishers = [threading.Thread(target=publisher, args=(f"run{n}",)) for n in range(3)]
    for thread in publishers:
        thread.start()
    for thread in publishers:
        thread.join(timeout=120)
    stop.set()
    reader.join()


def test_overlapping_publishers_never_leave_the_link_dangling(tmp_path: Path) -> None:
    output = tmp_path / "tables"
    publish_staged(stage_tables(tables_with("seed"), output), output)
    stop, dangling, errors = threading.Event(), [], []

    def read_continuously() -> None:
        while not stop.is_set():
            if not (output / "rejects").is_dir():
                dangling.append(os.readlink(output))

    _publish_from_threads_while_reading(output, 6, read_continuously, stop, errors)
    assert errors == [] and dangling == []
    assert published_marker(output).startswith("run")
    assert sorted(p.name for p in versions_dir(output).iterdir()) == sorted(
        p.name for p in versions_dir(output).iterdir() if not p.name.endswith(STAGING_SUFFIX)
    )
    assert len(list(versions_dir(output).iterdir())) == KEEP_VERSIONS


def test_an_interrupted_staging_removes_what_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "tables"
    publish_staged(stage_tables(tables_with("v1"), output), output)
    before = sorted(p.name for p in versions_dir(output).iterdir())
    real = publish.pq.ParquetWriter.close
    calls: list[int] = []

    def interrupted(self: object, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # a part is written (the unchanged empty ones are linked), then interrupted
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(publish.pq.ParquetWriter, "close", interrupted)
    with pytest.raises(KeyboardInterrupt):
        stage_tables(tables_with("v2"), output)
    assert sorted(p.name for p in versions_dir(output).iterdir()) == before
    assert published_marker(output) == "v1"


# --- 2. the output lock -----------------------------------------------------------------

HOLD_THE_LOCK = """
import sys, time
from transform.publish import lock_output
with lock_output(sys.argv[1]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def lock_held_elsewhere(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    output = tmp_path / "tables"
    holder = run_python(HOLD_THE_LOCK, str(output), "60")
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    yield output, holder
    holder.kill()
    holder.wait()


def test_a_second_run_is_told_who_holds_the_output(lock_held_elsewhere: tuple[Path, subprocess.Popen[str]]) -> None:
    output, holder = lock_held_elsewhere
    assert lock_holder(output)[0]
    started = time.monotonic()
    with pytest.raises(OutputLocked) as locked, lock_output(output, wait=0):
        pytest.fail("acquired a lock another process holds")
    assert time.monotonic() - started < 5
    assert locked.value.holder is not None
    assert (locked.value.holder["pid"], locked.value.holder["host"]) == (holder.pid, socket.gethostname())
    assert f"pid {holder.pid} on {socket.gethostname()} since " in str(locked.value)

    holder.kill()  # SIGKILL: the kernel releases the lock, whatever the file says
    holder.wait()
    assert not lock_holder(output)[0]
    with lock_output(output, wait=0):
        holder_now = json.loads(Path(publish.lock_path(output)).read_text())
        assert holder_now["pid"] == os.getpid()
    assert Path(publish.lock_path(output)).read_text() == "", "a released lock still names a holder"


def test_a_second_run_waits_for_the_lock_when_asked(tmp_path: Path) -> None:
    output = tmp_path / "tables"
    holder = run_python(HOLD_THE_LOCK, str(output), "1.5")
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with lock_output(output, wait=30):
            waited = time.monotonic() - started
        assert 0.5 < waited < 15, waited
    finally:
        holder.kill()
        holder.wait()


def test_solieu_run_exits_with_the_holder_when_the_output_is_locked(
    lock_held_elsewhere: tuple[Path, subprocess.Popen[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output, holder = lock_held_elsewhere
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "a.txt").write_text(" date 2025-03-14 Công an tỉnh đã bắt giữ 12 đối tượng.", encoding="utf-8")
    started = time.monotonic()
    code = main(["run", "--input", str(documents), "--output", str(output)])
    assert code == EXIT_LOCKED
    assert time.monotonic() - started < 10, "the check must come before any Prefect server starts"
    [line] = capsys.readouterr().err.splitlines()
    assert f"pid {holder.pid} on {socket.gethostname()}" in line and "--wait-lock SECONDS" in line, line


def test_the_remote_lock_is_a_conditional_write(memory_output: str) -> None:
    fs, _ = fsspec.core.url_to_fs(memory_output)
    lock_object = publish.lock_path(memory_output)
    with lock_output(memory_output):
        holder = json.loads(fs.cat_file(lock_object))
        assert holder["pid"] == os.getpid() and holder["expires"] > time.time()
        assert lock_holder(memory_output)[0]
        with pytest.raises(OutputLocked, match=f"pid {os.getpid()}"), lock_output(memory_output, wait=0.3):
            pass
    assert not fs.exists(lock_object), "the lock object outlived its run"

    # a holder that died leaves its object; past its expiry the next run breaks it
    expired = {"host": "elsewhere.invalid", "pid": 1, "since": "then", "token": "x", "expires": time.time() - 1}
    fs.pipe_file(lock_object, json.dumps(expired).encode())
    with lock_output(memory_output, wait=0):
        assert json.loads(fs.cat_file(lock_object))["pid"] == os.getpid()


def test_create_if_absent_has_one_winner(memory_output: str) -> None:
    fs, path = fsspec.core.url_to_fs(memory_output)
    barrier, wins = threading.Barrier(16), []

    def race(n: int) -> None:
        barrier.wait()
        if publish._create_if_absent(fs, f"{path}.race", str(n).encode()):
            wins.append(n)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1 and fs.cat_file(f"{path}.race") == str(wins[0]).encode()


def test_remote_publishing_marks_complete_and_prunes_only_abandoned_staging(memory_output: str) -> None:
    fs, path = fsspec.core.url_to_fs(memory_output)
    versions = f"{path.rpartition('/')[0]}/.tables-versions"
    publish_staged(stage_tables(tables_with("v1"), memory_output), memory_output)
    dead = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    abandoned = f"{versions}/{new_run_id()}"
    fs.pipe_file(f"{abandoned}/{OWNER}", json.dumps({"host": socket.gethostname(), "pid": int(dead.stdout)}).encode())
    live = stage_tables(tables_with("live"), memory_output)  # staged by this process, not yet published

    publish_staged(stage_tables(tables_with("v2"), memory_output), memory_output)
    names = {p.rstrip("/").rpartition("/")[2] for p in fs.ls(versions, detail=False)}
    current = fs.cat_file(f"{path}/{POINTER}").decode()
    assert fs.exists(f"{versions}/{current}/{COMPLETE}")
    assert abandoned.rpartition("/")[2] not in names
    assert str(live).rpartition("/")[2] in names, "a live run's staging was pruned"
    discard_staged(live)


def test_overlapping_remote_publishers_never_leave_the_pointer_dangling(memory_output: str) -> None:
    publish_staged(stage_tables(tables_with("seed"), memory_output), memory_output)
    fs = fsspec.filesystem("memory")
    stop, dangling, errors = threading.Event(), [], []

    def read_continuously() -> None:
        while not stop.is_set():
            current = current_version(memory_output)
            whole = current is not None and fs.exists(f"{current}/{PARTS}")  # written last when staging
            # a version two publishes old may be pruned while it is looked at; the
            # current one never is
            if not whole and current_version(memory_output) == current:
                dangling.append(current)

    _publish_from_threads_while_reading(memory_output, 4, read_continuously, stop, errors)
    assert errors == [] and dangling == []


# --- 3. the command line ----------------------------------------------------------------


@pytest.mark.parametrize(
    "option", [["--batch-size", "-1"], ["--batch-size", "0"], ["--workers", "0"], ["--wait-lock", "-1"]]
)
def test_bad_numbers_are_refused_before_the_run(
    option: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["run", "--input", str(tmp_path), "--output", str(tmp_path / "tables"), *option])
    assert exited.value.code == EXIT_BAD_OPTION
    [line] = capsys.readouterr().err.splitlines()
    assert option[0] in line and "must be at least" in line and "--help" in line, line
    assert not (tmp_path / "tables").exists()


def test_a_negative_batch_size_never_loses_documents() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        flows.refresh.batches([], -1)


def test_an_output_that_is_a_file_is_refused_and_nothing_is_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "tables"
    output.write_text("not a folder")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["run", "--input", str(tmp_path), "--output", str(output)]) == EXIT_BAD_OPTION
    [line] = capsys.readouterr().err.splitlines()
    assert "is an existing file" in line and str(output) in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert output.read_text() == "not a folder"
    assert main(["run", "--input", str(tmp_path), "--output", str(output / "inside")]) == EXIT_BAD_OPTION


def test_a_bad_sources_file_is_reported_before_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - name: x\n", encoding="utf-8")
    assert main(["run", "--sources", str(sources), "--output", str(tmp_path / "tables")]) == EXIT_BAD_OPTION
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("solieu: ") and str(sources) in line and "missing location" in line, line
    assert not (tmp_path / "tables").exists()


@pytest.mark.parametrize("error", [ValueError("a value inside the run"), KeyError("figures")])
def test_an_error_inside_the_run_is_one_line_and_a_traceback_file(
    error: Exception, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No flow run: `refresh` is replaced by one that fails. A ValueError from inside the
    run is not a bad sources file (it used to exit 2 with an empty message)."""

    def failing_refresh(**_: object) -> None:
        raise error

    failing_refresh.with_options = lambda **_: failing_refresh  # type: ignore[attr-defined]
    monkeypatch.setattr(flows.refresh, "refresh", failing_refresh)
    (tmp_path / "a.txt").write_text("x")
    code = main(["run", "--input", str(tmp_path / "a.txt"), "--output", str(tmp_path / "out" / "tables")])
    assert code == EXIT_RUN_FAILED
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("solieu: ")]
    assert f"the run failed: {type(error).__name__}: " in line and "nothing was published" in line, line
    log = Path(line.split("the traceback is in ")[1].split(";")[0])
    assert log.is_file() and type(error).__name__ in log.read_text()


def test_run_help_documents_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    printed = capsys.readouterr().out
    for status in ("0 ", "1 ", "2 ", "3 ", "4 ", "130", "143"):
        assert f"\n  {status}" in printed, status


# --- 4. SIGTERM stops a run at once -----------------------------------------------------


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


# A run whose unwinding hangs after the signal (as a process pool's shutdown does when a
# worker was terminated while sending its result): a child process stands for a worker.
_STUCK_RUN = """
import multiprocessing, sys, time
import flows.cli, flows.refresh
flows.cli.STOP_GRACE_SECONDS = 1.0
if __name__ == "__main__":
    worker = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(300,))
    with flows.cli._ended_if_stuck_after_stop(), flows.refresh._stopping_on_signals():
        worker.start()
        try:  # the signal may come while the pid is still being printed
            print(worker.pid, flush=True)
            time.sleep(300)
        except BaseException:
            time.sleep(300)  # stuck in the clean-up
"""


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, EXIT_TERMINATED), (signal.SIGINT, 130)])
def test_a_stopped_run_that_cannot_unwind_is_ended_after_the_grace(signum: int, status: int) -> None:
    run = subprocess.Popen(
        [PYTHON, "-c", _STUCK_RUN], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert run.stdout is not None
    worker = int(run.stdout.readline())
    run.send_signal(signum)
    sent = time.monotonic()
    try:
        returned = run.wait(timeout=20)
    finally:
        run.kill()
    assert returned == status, run.stderr.read() if run.stderr else ""
    assert 1.0 <= time.monotonic() - sent < 15
    assert run.stderr is not None and "the run stopped" in run.stderr.read()
    deadline = time.monotonic() + 5
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker), "the worker process was left running"


@pytest.mark.flow
def test_sigterm_stops_a_run_promptly_and_keeps_the_published_tables(tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    for i in range(3000):  # enough that extraction is still going when the signal comes
        sentences = " ".join(
            f"Ngày {1 + j % 28}/{1 + j % 12}, Công an đã bắt giữ {i * 7 + j} đối tượng." for j in range(30)
        )
        (documents / f"doc{i:05d}.txt").write_text(f" date 2025-03-14 (ANTĐ) - {sentences}\n", encoding="utf-8")
    output = tmp_path / "out" / "tables"
    publish_staged(stage_tables(tables_with("before"), output), output)
    before = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}

    environment = {**os.environ, "PREFECT_LOGGING_LEVEL": "INFO"}
    environment.pop("PREFECT_API_URL", None)  # the run starts its own temporary server
    command = [PYTHON, "-m", "flows.refresh", "--input", str(documents), "--output", str(output), "--batch-size", "50"]
    run = subprocess.Popen(command, cwd=PROJECT, env=environment, stderr=subprocess.PIPE, text=True)
    assert run.stderr is not None
    lines: list[str] = []
    extracting = threading.Event()

    def follow() -> None:
        for line in run.stderr:  # type: ignore[union-attr]
            lines.append(line)
            if "extract batch" in line:
                extracting.set()

    threading.Thread(target=follow, daemon=True).start()
    assert extracting.wait(timeout=120), "".join(lines[-20:])
    started = sorted(_descendants(run.pid))
    assert lock_holder(output)[0], "the run does not hold its output's lock"
    run.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    try:
        status = run.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("no exit 15 s after SIGTERM; it printed:\n" + "".join(lines[-30:]))
    finally:
        run.kill()
    took = time.monotonic() - sent
    assert status == EXIT_TERMINATED, "".join(lines[-20:])
    assert took < 15
    assert any("terminated (SIGTERM)" in line for line in lines)
    assert {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()} == before
    assert published_marker(output) == "before"
    assert not lock_holder(output)[0], "the lock was not released"
    assert not [p for p in versions_dir(output).iterdir() if p.name.endswith(STAGING_SUFFIX)]
    deadline = time.monotonic() + 5  # worker processes and the Prefect server are gone too
    while any(_running(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in started if _running(pid)], f"left running after {took:.1f} s"
