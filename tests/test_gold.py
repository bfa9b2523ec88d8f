"""The extractor against the shared gold files, scored by ../shared/eval/score.py.

Runs the batch function and the publisher without Prefect (the flow is covered by
test_flow.py), so it takes seconds. Skipped when ../shared is not beside the checkout.
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.local import discover
from transform.batch import process_batch
from transform.publish import publish_staged, stage_tables
from transform.taxonomy import load_taxonomy

SHARED = Path(__file__).resolve().parents[2] / "shared"

pytestmark = pytest.mark.skipif(
    not (SHARED / "eval" / "score.py").exists(),
    reason=f"{SHARED} not found: the gold tests need ../shared beside the checkout",
)


def _score(name: str, tmp_path: Path) -> dict:
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    refs, _ = discover([SHARED / "corpus" / name])
    tables = process_batch(refs, load_taxonomy(), extracted_at=datetime.now(UTC))
    output = tmp_path / "tables"
    publish_staged(stage_tables(tables, output), output)
    result, _notes = scorer.score(SHARED / "gold" / f"{name}.json", output, details=False)
    return result


def test_seeds_meet_the_pipeline_targets(tmp_path: Path) -> None:
    result = _score("seeds", tmp_path)
    assert result["figures_strict"]["f1"] >= 0.9
    assert result["dates_strict"]["f1"] >= 0.9
    for fact in ("published", "outlet", "author", "title"):
        assert result["accuracy"][fact] == 1.0, fact


def test_dev_meets_the_real_news_targets(tmp_path: Path) -> None:
    result = _score("dev", tmp_path)
    accuracy = result["accuracy"]
    assert result["figures_strict"]["f1"] >= 0.95
    assert result["dates_strict"]["f1"] >= 0.95
    for field in ("qualifier", "item", "period"):
        assert accuracy[field] >= 0.85, field
    # dev's gold accepts no `none`: where only a cited year would date an article, the
    # evidence rules say none (issue 11), and dev counts that as a miss
    assert accuracy["published"] >= 0.75
    assert accuracy["outlet"] >= 0.8 and accuracy["author"] >= 0.8
    assert accuracy["title"] >= 0.95


def test_dev2_meets_the_generalisation_targets(tmp_path: Path) -> None:
    result = _score("dev2", tmp_path)
    accuracy = result["accuracy"]
    assert result["figures_strict"]["f1"] >= 0.85
    assert result["dates_strict"]["f1"] >= 0.93
    assert accuracy["published"] >= 0.9
    assert accuracy["place"] >= 0.9 and accuracy["article_place"] >= 0.9
    assert accuracy["item"] >= 0.82 and accuracy["qualifier"] >= 0.97
