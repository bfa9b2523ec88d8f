"""Compaction (issue 13): the small parts refreshes leave are merged on a schedule; the
rows do not change, and later refreshes carry the merged parts over like any other."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from flows.cli import main
from flows.refresh import refresh
from transform.publish import PARTS
from transform.schemas import PUBLISHED

SAMPLE = Path(__file__).parents[1] / "data" / "raw"
KEYS = {"articles": "article_id", "figures": "figure_id", "dates": "date_id", "fact_mentions": "figure_id"}


def _parts(output: Path) -> list[dict]:
    return json.loads((output.resolve() / PARTS).read_text())


def _rows(output: Path) -> dict[str, list[dict]]:
    frames = {name: pd.read_parquet(output / name) for name in KEYS}
    return {
        name: frames[name]
        .drop(columns=["published_year"], errors="ignore")
        .sort_values(key)
        .astype(str)
        .to_dict("records")
        for name, key in KEYS.items()
    }


@pytest.mark.flow
def test_compaction_merges_small_parts_and_keeps_every_row(
    tmp_path: Path, prefect_harness: None, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs, output = tmp_path / "in", tmp_path / "tables"
    shutil.copytree(SAMPLE, inputs)
    documents = sorted(inputs.glob("*.txt"))
    held = tmp_path / "held"
    held.mkdir()
    for path in documents[4:]:  # three refreshes, as an hourly schedule would make them
        path.rename(held / path.name)
    run = {"output": str(output), "validation_dir": str(tmp_path / "v"), "batch_size": 2}
    refresh(inputs=[str(inputs)], **run)
    for path in sorted(held.iterdir())[:2]:
        path.rename(inputs / path.name)
    refresh(inputs=[str(inputs)], **run)
    for path in held.iterdir():
        path.rename(inputs / path.name)
    refresh(inputs=[str(inputs)], **run)
    before, rows = _parts(output), _rows(output)
    figures_before = [p for p in before if p["path"].startswith("figures/")]
    assert len(figures_before) >= 4

    assert main(["compact", "--tables", str(output)]) == 0
    assert "parts ->" in capsys.readouterr().out
    after = _parts(output)
    assert len(after) < len(before)
    assert len([p for p in after if p["path"].startswith("figures/")]) < len(figures_before)
    assert _rows(output) == rows  # the same rows, in fewer files
    assert {p["path"].split("/")[0] for p in after} == set(PUBLISHED)
    assert main(["compact", "--tables", str(output)]) == 0  # nothing left to merge
    assert "nothing to merge" in capsys.readouterr().out

    # later refreshes carry the merged parts: nothing new is no new version
    version = output.resolve()
    assert refresh(inputs=[str(inputs)], **run).unchanged and output.resolve() == version
    # and a dropped document leaves with its rows, the merged parts' other rows stay
    gone = documents[0]
    gone_id = pd.read_parquet(output / "articles").set_index("source_uri").loc[str(gone), "article_id"]
    gone.unlink()
    summary = refresh(inputs=[str(inputs)], **run)
    assert summary.published and summary.extracted == 0
    left = _rows(output)
    for name in KEYS:
        expected = [r for r in rows[name] if r["article_id"] != gone_id]
        assert left[name] == expected, name
