"""Tables published to an fsspec URL: the `_CURRENT` pointer instead of a symlink.

`memory://` is fsspec's in-process object store: it has no rename and no symlinks,
like S3, so the same code path as `--output s3://bucket/prefix` runs here offline.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import fsspec
import pandas as pd
import pyarrow.compute as pc
import pytest

import transform.batch
from flows.refresh import ValidationFailed, refresh
from transform.publish import KEEP_VERSIONS, POINTER, current_version

SAMPLE = Path(__file__).parents[1] / "data" / "raw"


@pytest.fixture
def remote_output(memory_output: str) -> str:
    return memory_output  # conftest.py: an in-memory object store, removed afterwards


def _read(output: str, name: str) -> pd.DataFrame:
    current = current_version(output)
    assert current is not None
    return pd.read_parquet(f"{current}/{name}")


@pytest.mark.flow
def test_a_remote_output_publishes_through_its_pointer(
    remote_output: str, tmp_path: Path, prefect_harness: None
) -> None:
    assert current_version(remote_output) is None
    first = refresh(inputs=[str(SAMPLE)], output=remote_output, validation_dir=str(tmp_path / "validation"))
    assert first.published and first.rows["articles"] == 8

    fs, path = fsspec.core.url_to_fs(remote_output)
    version = fs.cat_file(f"{path}/{POINTER}").decode()
    assert current_version(remote_output) == f"memory://{path.rpartition('/')[0]}/.tables-versions/{version}"
    figures = _read(remote_output, "figures")
    articles = _read(remote_output, "articles").set_index("article_id")
    assert len(figures) == first.rows["figures"]
    # the offsets hold in what was published
    for row in figures.itertuples():
        assert articles.loc[row.article_id, "text"][row.char_start : row.char_end] == row.text
    assert set(figures["published_year"]) >= {2025}  # partitioned by year, as locally

    # a second run with nothing new reads the published tables back from the store
    again = refresh(inputs=[str(SAMPLE)], output=remote_output, validation_dir=str(tmp_path / "validation"))
    assert again.unchanged and again.reused == 8 and again.extracted == 0


@pytest.mark.flow
def test_a_failed_validation_leaves_the_remote_pointer(
    remote_output: str, tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh(inputs=[str(SAMPLE)], output=remote_output, validation_dir=str(tmp_path / "validation"))
    fs, path = fsspec.core.url_to_fs(remote_output)
    pointer_before = fs.cat_file(f"{path}/{POINTER}")
    versions = f"{path.rpartition('/')[0]}/.tables-versions"
    versions_before = sorted(fs.ls(versions, detail=False))
    real = transform.batch.process_batch

    def shift_figures(refs, taxonomy, *, extracted_at):  # type: ignore[no-untyped-def]
        tables = real(refs, taxonomy, extracted_at=extracted_at)
        figures = tables["figures"]
        index = figures.schema.get_field_index("char_start")
        tables["figures"] = figures.set_column(
            index, figures.schema.field(index), pc.add(figures.column("char_start"), 1)
        )
        return tables

    monkeypatch.setattr(transform.batch, "process_batch", shift_figures)
    inputs = tmp_path / "inputs"
    shutil.copytree(SAMPLE, inputs)
    (inputs / "moi.txt").write_text(
        " date 2025-04-02 (ANTĐ) - Công an quận đã bắt giữ 7 đối tượng và thu 2 xe máy.", encoding="utf-8"
    )
    with pytest.raises(ValidationFailed):
        refresh(inputs=[str(inputs)], output=remote_output, validation_dir=str(tmp_path / "validation"))
    assert fs.cat_file(f"{path}/{POINTER}") == pointer_before
    assert sorted(fs.ls(versions, detail=False)) == versions_before, "a failed run left its staging"


def test_remote_versions_are_pruned(remote_output: str) -> None:
    from transform.publish import publish_staged, stage_tables
    from transform.schemas import TABLES

    empty = {name: schema.empty_table() for name, schema in TABLES.items()}
    for _ in range(KEEP_VERSIONS + 2):
        publish_staged(stage_tables(empty, remote_output), remote_output)
    fs, path = fsspec.core.url_to_fs(remote_output)
    assert len(fs.ls(f"{path.rpartition('/')[0]}/.tables-versions", detail=False)) == KEEP_VERSIONS
    assert _read(remote_output, "figures").empty
