"""Batches write their own parts and the run works on parts (issue 13): a batch hands back
counts and keys, never rows; a refresh carries parts over without reading tables whole;
validation runs a group of batches at a time, and keys are checked across all parts."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import flows.refresh
import transform.incremental
from flows.refresh import refresh
from ingest.local import discover
from transform.batch import ARTICLE_KEYS, extract_to_parts
from transform.publish import PARTS, open_staging
from transform.staged import read_parts
from transform.taxonomy import load_taxonomy
from transform.validate import Validator, _may_repeat

SAMPLE = Path(__file__).parents[1] / "data" / "raw"
STORY = " date 2025-03-14 (ANTĐ) - Công an tỉnh đã bắt giữ 12 đối tượng đánh bạc.\nSáng nay, 3 xe máy bị thu giữ."


def _parts(version: Path) -> dict[str, dict]:
    return {p["path"]: p for p in json.loads((version / PARTS).read_text())}


def test_a_batch_hands_back_counts_and_keys_not_rows(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE, tmp_path / "in")
    refs, _ = discover([tmp_path / "in"])
    staging = open_staging(tmp_path / "tables")
    outcome = extract_to_parts(refs, load_taxonomy(), extracted_at=datetime.now(UTC), staging=staging)
    assert outcome.articles.column_names == ARTICLE_KEYS  # keys only: no text, no figure rows
    written = read_parts(staging, outcome.parts)
    assert {name: table.num_rows for name, table in written.items()} == {name: outcome.rows[name] for name in written}
    assert outcome.rows["articles"] == len(refs) - sum(outcome.rejects.values()) > 0
    assert outcome.rows["figures"] > 0 and all(p["written"] for p in outcome.parts)


@pytest.mark.flow
def test_the_same_text_in_two_batches_is_one_article_and_a_reject_and_groups_are_validated(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flows.refresh, "VALIDATE_EVERY", 2)  # several groups of batches
    inputs, output = tmp_path / "in", tmp_path / "tables"
    shutil.copytree(SAMPLE, inputs)
    (inputs / "zz-first.txt").write_text(STORY, encoding="utf-8")
    (inputs / "zz-second.txt").write_bytes(STORY.replace("\n", "\r\n").encode())  # other bytes, same text
    summary = refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"), batch_size=1)
    assert summary.published and summary.rejected == {"duplicate": 1}
    rejects = pd.read_parquet(output / "rejects")
    assert rejects["source_uri"].str.endswith("zz-second.txt").all()
    assert rejects["detail"].str.endswith("zz-first.txt").all()
    articles = pd.read_parquet(output / "articles")
    assert articles["article_id"].is_unique and len(articles) == summary.rows["articles"] == 9
    # each group of two documents ran its own suites: Data Docs lists several runs
    runs = {p.parent.parent.name for p in (tmp_path / "v" / "validations").rglob("*.html")}
    assert len(runs) >= 4, runs
    again = refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"), batch_size=1)
    assert again.unchanged and again.rejected == {"duplicate": 1}


@pytest.mark.flow
def test_a_moved_document_rewrites_its_articles_part_and_shares_its_figures(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, output = tmp_path / "in", tmp_path / "tables"
    shutil.copytree(SAMPLE, inputs)
    refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    first = output.resolve()
    moved = sorted(inputs.glob("*.txt"))[0]
    moved.rename(inputs / "moved-here.txt")
    read: list[str] = []
    real = transform.incremental._read_keys

    def counting(current: str, part: dict, columns: list[str]) -> pa.Table | None:
        read.append(part["path"])
        return real(current, part, columns)

    monkeypatch.setattr(transform.incremental, "_read_keys", counting)
    summary = refresh(inputs=[str(inputs)], output=str(output), validation_dir=str(tmp_path / "v"))
    second = output.resolve()
    assert (summary.extracted, summary.reused) == (0, 8) and not summary.unchanged
    # planning read the keys of articles and rejects only: every figure's article stayed
    assert {path.split("/")[0] for path in read} == {"articles", "rejects"}
    before, after = _parts(first), _parts(second)
    written = {path.split("/")[0] for path, part in after.items() if part["written"]}
    assert written == {"articles", "metrics"}
    for path, part in after.items():
        if path.startswith(("figures/", "dates/", "fact_mentions/")):
            assert path in before and not part["written"]
            assert (first / path).stat().st_ino == (second / path).stat().st_ino
    articles = pd.read_parquet(output / "articles")
    assert articles["source_uri"].str.endswith("moved-here.txt").sum() == 1
    assert not articles["source_uri"].str.endswith(moved.name).any()


def test_keys_are_checked_across_parts() -> None:
    validator = Validator(load_taxonomy().keys, run_time=datetime.now(UTC))
    ids = pa.array(["a1", "a2", "a2"])  # a2 in two parts
    keys = {
        "articles": pa.table({"article_id": ids}),
        "figures": pa.table({"figure_id": pa.array(["f1", "f2"]), "article_id": pa.array(["a1", "gone"])}),
        "dates": pa.table({"date_id": pa.array(["d1", "d1"]), "article_id": pa.array(["a1", "a1"])}),
    }
    failures = validator.check_keys(keys)
    found = {(f.table, f.expectation) for f in failures}
    assert found == {
        ("articles", "unique(article_id) across parts"),
        ("dates", "unique(date_id) across parts"),
        ("figures", "article_id exists in articles (all parts)"),
    }
    assert not validator.finish().success
    clean = Validator(load_taxonomy().keys, run_time=datetime.now(UTC))
    keys["articles"] = pa.table({"article_id": pa.array(["a1", "gone"])})
    keys["dates"] = pa.table({"date_id": pa.array(["d1"]), "article_id": pa.array(["a1"])})
    assert clean.check_keys(keys) == [] and clean.finish().success


def test_row_ids_repeated_across_parts_are_found_by_their_folds() -> None:
    """Ids of 16 characters take `_may_repeat`'s fast path (folded 64-bit words): a
    repeat among a hundred thousand, in another chunk or at a sliced offset, is found;
    so is a repeated metric id; distinct ids pass."""
    ids = [hashlib.sha1(str(i).encode()).hexdigest()[:16] for i in range(100_000)]
    assert not _may_repeat(pa.chunked_array([ids[:700], ids[700:]]))
    assert _may_repeat(pa.chunked_array([ids, ids[41_000:41_001]]))
    assert _may_repeat(pa.array(["x", *ids, ids[5]]).slice(1))
    assert not _may_repeat(pa.array(["x", *ids]).slice(1))
    validator = Validator(load_taxonomy().keys, run_time=datetime.now(UTC))
    failures = validator.check_keys({"metrics": pa.table({"metric_id": pa.array([*ids[:10], ids[3]])})})
    assert [(f.table, f.expectation) for f in failures] == [("metrics", "unique(metric_id) across parts")]
    assert ids[3] in failures[0].detail
