"""Versions share the parts that did not change (issue 13): a refresh that adds documents
writes parts for them and links (locally) or copies within the store (remotely) the rest;
readers still read a table by its folder, and a kill while publishing leaves the last
version readable."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import fsspec
import pandas as pd
import pytest

from flows.refresh import refresh
from transform.publish import PARTS, current_version, parts_written

SAMPLE = Path(__file__).parents[1] / "data" / "raw"
# not dated by a rule a window is inferred from (extract/published.py WINDOW_RULES): the
# sample's window stays as it was, so the other documents are carried over
ADDED = "(ANTĐ) - Trong tháng 4/2025, Công an tỉnh đã xử lý 215 vụ vi phạm giao thông."


def _parts(version: str | Path) -> dict[str, dict]:
    fs, root = fsspec.core.url_to_fs(str(version))
    return {p["path"]: p for p in json.loads(fs.cat_file(f"{root}/{PARTS}"))}


def _inputs(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    shutil.copytree(SAMPLE, inputs)
    return inputs


@pytest.mark.flow
def test_a_refresh_links_the_parts_it_did_not_change(tmp_path: Path, prefect_harness: None) -> None:
    inputs, output = _inputs(tmp_path), tmp_path / "tables"
    refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    first = output.resolve()
    (inputs / "added.txt").write_text(ADDED, encoding="utf-8")
    summary = refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    second = output.resolve()
    assert second != first and (summary.extracted, summary.reused) == (1, 8)

    before, after = _parts(first), _parts(second)
    kept = [path for path in after if path in before and not path.startswith("metrics/")]
    assert {p.split("/")[0] for p in kept} >= {"articles", "figures", "dates"}
    for path in kept:  # the same file, not a copy: one inode, two names
        assert (first / path).stat().st_ino == (second / path).stat().st_ino
        assert (second / path).stat().st_nlink >= 2
        assert not after[path]["written"]
    written = parts_written(second)
    assert 0 < written["bytes_written"] < written["bytes"] / 2
    # only the new document's rows were written: its figures are the written figure rows
    articles = pd.read_parquet(output / "articles")
    added = articles.loc[articles["source_uri"].str.endswith("added.txt"), "article_id"].item()
    figures_written = sum(p["rows"] for path, p in after.items() if path.startswith("figures/") and p["written"])
    assert figures_written == (pd.read_parquet(output / "figures")["article_id"] == added).sum() > 0
    # readers read a table by its folder, old rows and new together
    figures = pd.read_parquet(output / "figures")
    assert 215 in set(figures["value"]) and len(figures) == summary.rows["figures"]
    assert pd.read_parquet(output / "articles")["article_id"].is_unique


def _rows(table: pd.DataFrame) -> list[tuple]:
    lists = [c for c in table.columns if table[c].map(lambda v: hasattr(v, "__len__") and not isinstance(v, str)).any()]
    table = table.assign(**{c: table[c].map(tuple) for c in lists})
    return sorted(table.astype(object).where(table.notna(), None).itertuples(index=False, name=None), key=repr)


@pytest.mark.flow
def test_a_refresh_makes_the_metrics_a_run_from_nothing_makes(tmp_path: Path, prefect_harness: None) -> None:
    """A refresh takes its facts' sentences from the last version's metrics and from the
    parts it wrote (transform/staged.py), not from every figures part: the same table."""
    inputs, output, whole = _inputs(tmp_path), tmp_path / "tables", tmp_path / "whole"
    options = {"validation_dir": str(tmp_path / "v"), "report": False}
    refresh(inputs=[str(inputs)], output=str(output), **options)
    (inputs / "added.txt").write_text(ADDED, encoding="utf-8")
    assert refresh(inputs=[str(inputs)], output=str(output), **options).extracted == 1
    refresh(inputs=[str(inputs)], output=str(whole), **options)
    refreshed, made = pd.read_parquet(output / "metrics"), pd.read_parquet(whole / "metrics")
    assert 215 in set(refreshed["value"]) and refreshed["sentence"].str.len().min() > 0
    assert _rows(refreshed) == _rows(made)


@pytest.mark.flow
def test_nothing_new_writes_no_part_and_a_dropped_document_rewrites_only_its_own(
    tmp_path: Path, prefect_harness: None
) -> None:
    inputs, output = _inputs(tmp_path), tmp_path / "tables"
    (inputs / "added.txt").write_text(ADDED, encoding="utf-8")
    refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    (inputs / "added.txt").write_text(ADDED.replace("215", "216"), encoding="utf-8")  # re-extracted
    refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    second = output.resolve()
    (inputs / "added.txt").unlink()  # its rows go; the other documents' parts stay shared
    refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    third = output.resolve()
    before, after = _parts(second), _parts(third)
    rewritten = {p.split("/")[0] for p, part in after.items() if part["written"]}
    assert "articles" not in rewritten  # the first run's articles part holds none of its rows
    assert any(not part["written"] for part in after.values())
    assert 216 not in set(pd.read_parquet(output / "figures")["value"])
    assert set(after) != set(before)


@pytest.mark.flow
def test_a_remote_refresh_copies_unchanged_parts_within_the_store(
    memory_output: str, tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = _inputs(tmp_path)
    refresh(inputs=[str(inputs)], output=memory_output, validation_dir=str(tmp_path / "v"))
    first = current_version(memory_output)
    (inputs / "added.txt").write_text(ADDED, encoding="utf-8")
    fs = fsspec.filesystem("memory")
    copied: list[str] = []
    real_copy = type(fs).copy

    def counting_copy(self, path1, path2, *args, **kwargs):
        copied.append(str(path2))
        return real_copy(self, path1, path2, *args, **kwargs)

    monkeypatch.setattr(type(fs), "copy", counting_copy)
    refresh(inputs=[str(inputs)], output=memory_output, validation_dir=str(tmp_path / "v"))
    second = current_version(memory_output)
    assert second is not None and second != first
    after = _parts(second)
    shared = [p for p, part in after.items() if not part["written"]]
    assert shared and all(any(c.endswith(p) for c in copied) for p in shared)
    root = fsspec.core.url_to_fs(second)[1]
    figures = pd.concat(pd.read_parquet(f"memory://{f}") for f in fs.find(f"{root}/figures") if f.endswith(".parquet"))
    assert 215 in set(figures["value"])


KILLED_WHILE_PUBLISHING = """
import os, signal, sys
import transform.publish as publish
from transform.incremental import read_published
staged = publish.stage_tables(read_published(sys.argv[1]), sys.argv[1])  # every part linked
def die(*args, **kwargs):  # the version is renamed complete, the link not yet swapped
    os.kill(os.getpid(), signal.SIGKILL)
publish.os.symlink = die
publish.publish_staged(staged, sys.argv[1])
"""


@pytest.mark.flow
def test_a_kill_while_publishing_leaves_the_last_version_readable(tmp_path: Path, prefect_harness: None) -> None:
    inputs, output = _inputs(tmp_path), tmp_path / "tables"
    refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    good = output.resolve()
    rows = len(pd.read_parquet(output / "figures"))
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_PUBLISHING, str(output)],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    assert output.resolve() == good  # still the last good version, whole, its parts intact
    assert len(pd.read_parquet(output / "figures")) == rows
    (inputs / "added.txt").write_text(ADDED, encoding="utf-8")
    again = refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    assert again.published and 215 in set(pd.read_parquet(output / "figures")["value"])
    assert len(pd.read_parquet(output / "figures")) == again.rows["figures"]


def _dated(folder: Path, i: int) -> None:
    """A document that dates itself (today's day with its year: rule cue_year)."""
    (folder / f"dated{i:02d}.txt").write_text(
        f"Công an bắt {i + 2} đối tượng\nSáng nay ({i + 1}/3/2019), Công an huyện bắt {i + 2} đối tượng.\n",
        encoding="utf-8",
    )


@pytest.mark.flow
def test_a_refresh_whose_window_changed_extracts_every_document_again(tmp_path: Path, prefect_harness: None) -> None:
    """A window bounds a document's date and the years of its dates: documents read with
    another window are not carried over, or one source's articles would disagree."""
    from extract.published import _WINDOW

    inputs, output = tmp_path / "inputs", tmp_path / "tables"
    inputs.mkdir()
    enough = _WINDOW["min_documents"]
    for i in range(enough - 1):  # one too few for a window
        _dated(inputs, i)
    (inputs / "undated.txt").write_text(
        "Xử phạt chủ quán\nNgày 12/3, đoàn kiểm tra xử phạt một quán từng bị nhắc nhở từ năm 2012.\n",
        encoding="utf-8",
    )
    options = {"inputs": [str(inputs)], "output": str(output), "validation_dir": str(tmp_path / "v")}
    refresh(**options)
    undated = pd.read_parquet(output / "articles").set_index("source_uri").filter(like="undated", axis=0)
    assert undated["published_evidence"].item() != "window"

    _dated(inputs, enough)  # now enough: the source implies March 2019
    summary = refresh(**options)
    assert (summary.extracted, summary.reused) == (enough + 1, 0)
    articles = pd.read_parquet(output / "articles").set_index("source_uri")
    assert articles.filter(like="undated", axis=0)["published_evidence"].item() == "window"
    dates = pd.read_parquet(output / "dates")
    assert str(dates.loc[dates["text"] == "Ngày 12/3", "start_date"].item())[:10] == "2019-03-12"
    assert refresh(**options).reused == enough + 1  # the same windows again: all carried


@pytest.mark.flow
def test_a_new_source_with_a_window_of_its_own_leaves_the_others_carried(tmp_path: Path, prefect_harness: None) -> None:
    """Each article keeps the window it was read with (`articles.published_window`): only
    documents whose own source's window moved are extracted again."""
    from extract.published import _WINDOW

    first, second, output = tmp_path / "first", tmp_path / "second", tmp_path / "tables"
    first.mkdir()
    second.mkdir()
    enough = _WINDOW["min_documents"]
    for i in range(enough):
        _dated(first, i)
    for i in range(enough):
        (second / f"other{i:02d}.txt").write_text(
            f"Xử phạt {i + 2} xe\nSáng nay ({i + 1}/9/2021), đội tuần tra xử phạt {i + 2} xe quá tải.\n",
            encoding="utf-8",
        )
    options = {"output": str(output), "validation_dir": str(tmp_path / "v")}
    refresh(inputs=[str(first)], **options)
    summary = refresh(inputs=[str(first), str(second)], **options)
    assert (summary.extracted, summary.reused) == (enough, enough)
    windows = pd.read_parquet(output / "articles").set_index("source_uri")["published_window"]
    assert set(windows.filter(like="dated", axis=0)) == {"2019-03-01/2019-03-31"}
    assert set(windows.filter(like="other", axis=0)) == {"2021-09-01/2021-09-30"}
