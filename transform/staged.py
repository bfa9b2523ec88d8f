"""Reading a staged version back a piece at a time: the rows of a few batches for their
validation, projections of keys for the table-wide checks, and what the metrics need.

Batches write their own parts (transform/batch.py), so the run's driver never holds a
whole table: what it reads here is bounded by a group of batches or by a few columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from transform import schemas
from transform.facts import fact_mentions, metrics_from_mentions
from transform.publish import filesystem, read_table, write_parts
from transform.schemas import MENTIONS
from transform.validate import ExpectationFailure, Validator

# The key columns the table-wide checks read of every part (Validator.check_keys).
KEYS = {
    "articles": ["article_id"],
    "figures": ["figure_id", "article_id"],
    "dates": ["date_id", "article_id"],
    "fact_mentions": ["figure_id", "article_id"],
}


def read_parts(staging: str | Path, parts: Sequence[dict[str, Any]]) -> dict[str, pa.Table]:
    """The rows of `parts` (entries of `_PARTS.json`), table by table; a table none of
    them holds is empty."""
    fs, root = filesystem(staging)
    pieces: dict[str, list[pa.Table]] = {name: [] for name in schemas.TABLES}
    for part in parts:
        name = part["table"]
        if name in pieces:
            table = pq.read_table(f"{root}/{part['path']}", filesystem=fs)
            pieces[name].append(table.select(schemas.TABLES[name].names))
    return {
        name: pa.concat_tables(found) if found else schemas.TABLES[name].empty_table() for name, found in pieces.items()
    }


def stage_group(
    validator: Validator, staging: str | Path, parts: Sequence[dict[str, Any]], label: str
) -> list[dict[str, Any]]:
    """Great Expectations on the rows of `parts` (a group of batches: every figure and
    date among them has its article there too), then the mentions of facts of its
    figures, validated and staged; returns the mentions' parts. The failures are the
    validator's."""
    tables = read_parts(staging, parts)
    frames = {name: table.to_pandas() for name, table in tables.items()}
    validator.validate(frames, label=label, required=list(schemas.TABLES))
    del frames
    mentions = fact_mentions(tables["figures"], tables["articles"], tables["dates"])
    validator.validate({"fact_mentions": mentions.to_pandas()}, label=label)
    return write_parts({"fact_mentions": mentions}, staging, articles=tables["articles"], salt=label)


def version_keys(staging: str | Path) -> dict[str, pa.Table]:
    """The key columns of every part of the version's articles, figures and dates."""
    return {name: read_table(staging, name, columns) for name, columns in KEYS.items()}


def version_metrics(staging: str | Path, previous: str | None = None, fresh: Sequence[str] = ()) -> pa.Table:
    """The metrics table of the version, from the mentions its groups staged; the sentence
    of each fact's first mention is read for those figures only: from the metrics of
    `previous` (the published version the staged one carries parts of, made by the same
    extractor), then from the `fresh` figures parts (paths this run wrote), then, for any
    still missing, from every figures part."""
    mentions = read_table(staging, "fact_mentions", MENTIONS.names)

    def sentences(ids: Sequence[str]) -> dict[str, str]:
        found = _published_sentences(previous, ids) if previous else {}
        for files in (list(fresh), None):
            missing = [i for i in ids if i not in found]
            if not missing:
                break
            found.update(_figure_sentences(staging, missing, files))
        return found

    return metrics_from_mentions(mentions, sentences)


def _published_sentences(version: str, ids: Sequence[str]) -> dict[str, str]:
    """The sentences a published version's metrics hold for their first figures among `ids`:
    a refresh that adds a few articles reads a few thousand rows, not the figures table."""
    try:
        table = read_table(version, "metrics", ["figure_ids", "sentence"])
    except (OSError, pa.ArrowInvalid, KeyError):  # none, or of another layout: read the figures
        return {}
    first = pc.list_element(table["figure_ids"], 0)
    wanted = pc.is_in(first, value_set=pa.array(list(ids), pa.string()))
    return dict(zip(first.filter(wanted).to_pylist(), table["sentence"].filter(wanted).to_pylist(), strict=True))


def _figure_sentences(staging: str | Path, ids: Sequence[str], files: list[str] | None) -> dict[str, str]:
    """The sentences of figures `ids`, from the figures parts `files` of `staging` (paths
    in `_PARTS.json`; None: all of them), a batch of rows at a time: the figures' sentences
    are most of their bytes (about 500 MB at 350k articles), never held at once."""
    found: dict[str, str] = {}
    if files is not None and not files:
        return found
    wanted = pa.array(list(ids), pa.string())
    fs, root = filesystem(staging)
    if files is None:
        dataset = ds.dataset(f"{root}/figures", format="parquet", partitioning="hive", filesystem=fs)
    else:
        dataset = ds.dataset([f"{root}/{path}" for path in files], format="parquet", filesystem=fs)
    for batch in dataset.to_batches(columns=["figure_id", "sentence"], filter=ds.field("figure_id").isin(wanted)):
        found.update(zip(batch["figure_id"].to_pylist(), batch["sentence"].to_pylist(), strict=True))
    return found


def validate_metrics(validator: Validator, metrics: pa.Table, keys: dict[str, pa.Table]) -> list[ExpectationFailure]:
    """Great Expectations on the metrics, their figure and article ids looked up in the
    version's keys."""
    references = {
        name: pd.DataFrame({column: pd.Series(keys[name][column].combine_chunks(), dtype=pd.ArrowDtype(pa.string()))})
        for name, column in (("figures", "figure_id"), ("articles", "article_id"))
    }
    return validator.validate({"metrics": metrics.to_pandas()}, label="metrics", references=references)
