"""Reading a staged version back a piece at a time: the rows of a few batches for their
validation, projections of keys for the table-wide checks, and what the metrics need.

Batches write their own parts (transform/batch.py), so the run's driver never holds a
whole table: what it reads here is bounded by a group of batches or by a few columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from transform import schemas
from transform.facts import SCOPE_COLUMNS, fact_mentions, facts_to_refold, merged_metrics, metrics_from_mentions
from transform.publish import filesystem, read_table, write_parts
from transform.schemas import MENTIONS, METRICS
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


def version_keys(staging: str | Path, parts: Sequence[dict[str, Any]] | None = None) -> dict[str, pa.Table]:
    """The key columns of every part of the version's articles, figures, dates and
    mentions; from the files of `parts` (entries of `_PARTS.json`) when given: a folder
    of thousands of parts is listed in a second, its list read at once."""
    if parts is None:
        return {name: read_table(staging, name, columns) for name, columns in KEYS.items()}
    fs, root = filesystem(staging)
    keys = {}
    for name, columns in KEYS.items():
        files = [f"{root}/{part['path']}" for part in parts if part["table"] == name]
        dataset = ds.dataset(files, schema=schemas.PUBLISHED[name], format="parquet", filesystem=fs)
        keys[name] = dataset.to_table(columns=columns)
    return keys


class VersionMetrics(NamedTuple):
    """The metrics of a staged version, and the rows of it this run folded: the others are
    the last version's rows as they were validated and published."""

    table: pa.Table
    refolded: pa.Table


def version_metrics(staging: str | Path, previous: str | None = None, fresh: Sequence[str] = ()) -> VersionMetrics:
    """The metrics table of the version, from the mentions its groups staged.

    With a `previous` version (the published one the staged one carries parts of, made by
    the same extractor), only the facts the run's mentions touch are folded again
    (`facts.facts_to_refold`): those of the mentions in `fresh` (part paths this run
    wrote), those that lost a mention, and those sharing a metric, place and period with
    either; the other rows are the previous metrics'. Without one, every fact is folded.
    The sentence of each folded fact's first mention comes from the previous metrics, then
    the `fresh` figures parts, then, for any still missing, every figures part."""
    last = _previous_metrics(previous) if previous else None
    figures_parts = [path for path in fresh if path.startswith("figures/")]

    def sentences(ids: Sequence[str]) -> dict[str, str]:
        found = _published_sentences(last, ids) if last is not None else {}
        for files in (figures_parts, None):
            missing = [i for i in ids if i not in found]
            if not missing:
                break
            found.update(_figure_sentences(staging, missing, files))
        return found

    if last is None:
        metrics = metrics_from_mentions(read_table(staging, "fact_mentions", MENTIONS.names), sentences)
        return VersionMetrics(metrics, metrics)
    mentions = read_table(staging, "fact_mentions", SCOPE_COLUMNS)
    fresh_ids = _mention_ids(staging, [path for path in fresh if path.startswith("fact_mentions/")])
    refold = facts_to_refold(last, mentions, fresh_ids)
    wanted = ds.field("metric_id").isin(refold) if len(refold) else ds.scalar(False)
    refolded = metrics_from_mentions(read_table(staging, "fact_mentions", MENTIONS.names, where=wanted), sentences)
    return VersionMetrics(merged_metrics(last, refolded, refold), refolded)


def _previous_metrics(version: str) -> pa.Table | None:
    """The metrics a published version holds, or None when it has none of this layout
    (an older version, say): then the run folds every fact."""
    try:
        table = read_table(version, "metrics", METRICS.names)
    except (OSError, pa.ArrowInvalid, pa.ArrowTypeError, KeyError):
        return None
    return table if table.schema.equals(METRICS) else None


def _mention_ids(staging: str | Path, files: list[str]) -> pa.Array:
    """The metric ids of the mentions in the staged parts `files`."""
    if not files:
        return pa.array([], pa.string())
    fs, root = filesystem(staging)
    dataset = ds.dataset([f"{root}/{path}" for path in files], format="parquet", filesystem=fs)
    return dataset.to_table(columns=["metric_id"])["metric_id"].combine_chunks()


def _published_sentences(table: pa.Table, ids: Sequence[str]) -> dict[str, str]:
    """The sentences a published version's metrics hold for their first figures among `ids`:
    a refresh that adds a few articles reads a few thousand rows, not the figures table."""
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
