"""The refresh flow on a Dask cluster produces the same tables as a local run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.refresh import refresh
from flows.runners import make_task_runner
from transform.schemas import TABLES

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
RUN_COLUMNS = {"articles": ["extracted_at", "source_uri"], "rejects": ["seen_at", "source_uri"]}
KEYS = {"articles": "article_id", "figures": "figure_id", "dates": "date_id", "rejects": "reason"}


def _comparable(output: Path) -> dict[str, list[dict]]:
    tables = {}
    for name, schema in TABLES.items():
        table: pa.Table = pq.read_table(output / name).select(schema.names)
        table = table.drop_columns([c for c in RUN_COLUMNS.get(name, []) if c in table.column_names])
        tables[name] = table.sort_by(KEYS[name]).to_pylist()
    return tables


@pytest.mark.flow
def test_a_dask_cluster_gives_the_tables_of_a_local_run(tmp_path: Path, prefect_harness: None) -> None:
    distributed = pytest.importorskip("distributed")
    inputs = tmp_path / "inputs"
    shutil.copytree(RAW, inputs)
    (inputs / "rong.txt").write_bytes(b"")  # a reject too

    local = tmp_path / "local" / "tables"
    refresh(inputs=[str(inputs)], output=str(local), validation_dir=str(tmp_path / "v1"), batch_size=3)

    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as stream,
    ):
        runner = make_task_runner("dask", cluster.scheduler_address)
        on_dask = tmp_path / "dask" / "tables"
        summary = refresh.with_options(task_runner=runner)(
            inputs=[str(inputs)], output=str(on_dask), validation_dir=str(tmp_path / "v2"), batch_size=3
        )
        cluster_workers = set(client.scheduler_info()["workers"])
    assert summary.extracted == len(list(inputs.glob("*.txt")))
    # the batches ran on the cluster's workers: 9 documents in batches of 3
    assert len(stream.data) >= 3
    assert {task["worker"] for task in stream.data} <= cluster_workers

    assert _comparable(on_dask) == _comparable(local)
