"""Write tables so that readers only ever see a complete, validated set.

Tables are written to a staging folder beside the output, and moved into place only
after validation passed; a failed run leaves the last good tables untouched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_SIZE = 128 * 1024  # rows; big enough for scans, small enough for row-group skipping


def stage_tables(tables: dict[str, pa.Table], output: Path) -> Path:
    """Write every table as `NAME/part-0.parquet` under a new staging folder of `output`."""
    staging = output / f".staging-{uuid.uuid4().hex[:12]}"
    for name, table in tables.items():
        folder = staging / name
        folder.mkdir(parents=True)
        pq.write_table(table, folder / "part-0.parquet", row_group_size=ROW_GROUP_SIZE, compression="zstd")
    return staging


def publish_staged(staging: Path, output: Path) -> list[Path]:
    """Move staged tables into `output`, replacing the previous ones; returns their paths."""
    published = []
    for folder in sorted(p for p in staging.iterdir() if p.is_dir()):
        target = output / folder.name
        retired = output / f".retired-{folder.name}-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.replace(target, retired)
        os.replace(folder, target)
        shutil.rmtree(retired, ignore_errors=True)
        legacy = output / f"{folder.name}.parquet"  # a single-file table would shadow the folder
        if legacy.exists():
            legacy.unlink()
        published.append(target)
    shutil.rmtree(staging, ignore_errors=True)
    return published


def discard_staged(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
