"""A refresh folds again only the facts its mentions touch (transform/facts.py
`facts_to_refold`, `merged_metrics`): the metrics it merges are those a fold of every
mention makes, row for row, while most rows are kept as they were (issue 13)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from transform.facts import SCOPE_COLUMNS, facts_to_refold, merged_metrics, metrics_from_mentions
from transform.schemas import MENTIONS

PLACES = ["Hà Nội", "Thừa Thiên Huế", None]
PERIODS = [(date(2017, 1, 1), date(2017, 12, 31)), (date(2017, 5, 1), date(2017, 5, 31)), (None, None)]
SOURCES = {True: ["stated", "sentence_date"], False: ["published", "none"]}


def _facts(rng: random.Random, n: int) -> list[dict]:
    """A pool of facts: the key columns every mention of one shares."""
    facts = []
    for i in range(n):
        place, (start, end) = rng.choice(PLACES), rng.choice(PERIODS)
        metric, value = rng.choice(["suspects_arrested", "drug_cases"]), float(rng.randint(1, 6))
        facts.append(
            {
                "metric_id": f"fact-{i:03d}",
                "metric": metric,
                "value": value,
                "value_max": None,
                "unit": "vụ" if metric == "drug_cases" else None,
                "currency": None,
                "place": place,
                "place_code": None,
                "place_current": place,
                "period_start": start,
                "period_end": end,
            }
        )
    return facts


def _mentions(rng: random.Random, facts: list[dict], articles: Sequence[int]) -> list[dict]:
    rows = []
    for a in articles:
        for k in range(rng.randint(0, 4)):
            fact = rng.choice(facts)
            stated = fact["period_start"] is not None and rng.random() < 0.8
            rows.append(
                {
                    **fact,
                    "figure_id": f"fig-{a:03d}-{k}",
                    "article_id": f"art-{a:03d}",
                    "char_start": 10 * k,
                    "qualifier": rng.choice(["exact", "exact", "over"]),
                    "period_source": rng.choice(SOURCES[stated]),
                    "plausible": rng.random() < 0.95,
                    "outlet": rng.choice(["PLO", "VnExpress", None]),
                    "published_date": date(2017, 1 + a % 12, 1 + a % 28),
                }
            )
    return rows


def _table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=MENTIONS)


def _sentences(ids: Sequence[str]) -> dict[str, str]:
    return {i: f"câu của {i}" for i in ids}


def _refreshed(before: pa.Table, after: pa.Table, fresh: pa.Table) -> tuple[pa.Table, pa.Array]:
    previous = metrics_from_mentions(before, _sentences)
    refold = facts_to_refold(previous, after.select(SCOPE_COLUMNS), fresh["metric_id"])
    refolded = metrics_from_mentions(after.filter(pc.is_in(after["metric_id"], value_set=refold)), _sentences)
    return merged_metrics(previous, refolded, refold), refold


def test_a_refresh_that_adds_and_drops_articles_merges_the_metrics_a_fold_of_everything_makes() -> None:
    for seed in range(20):
        rng = random.Random(seed)
        facts = _facts(rng, 60)
        old = _mentions(rng, facts, range(0, 150))
        added = _mentions(rng, facts, range(150, 160))
        kept = [row for row in old if row["article_id"] >= "art-005"]  # five articles dropped
        before, after, fresh = _table(old), _table(kept + added), _table(added)
        merged, refold = _refreshed(before, after, fresh)
        assert merged.equals(metrics_from_mentions(after, _sentences)), seed
        assert len(refold) < len(metrics_from_mentions(after, _sentences)), seed  # some rows were kept


def test_a_new_value_in_a_scope_refolds_the_facts_it_now_conflicts_with() -> None:
    """Article 2 reports 7 vụ where article 1 said 5 for the same place and period: the
    old fact gets no mention, but its `conflict` turns true, so it is folded again."""
    rng = random.Random(3)
    fact = _facts(rng, 1)[0] | {"place": "Hà Nội", "period_start": date(2017, 5, 1), "period_end": date(2017, 5, 31)}
    other = fact | {"metric_id": "fact-new", "value": 7.0}
    base = {"char_start": 0, "qualifier": "exact", "period_source": "stated", "plausible": True, "outlet": "PLO"}
    first = {**fact, **base, "figure_id": "f1", "article_id": "a1", "published_date": date(2017, 6, 1)}
    second = {**other, **base, "figure_id": "f2", "article_id": "a2", "published_date": date(2017, 6, 2)}
    before, added = _table([first]), _table([second])
    after = pa.concat_tables([before, added])
    merged, refold = _refreshed(before, after, added)
    assert set(refold.to_pylist()) == {fact["metric_id"], "fact-new"}
    assert merged["conflict"].to_pylist() == [True, True]
    assert merged.equals(metrics_from_mentions(after, _sentences))


def test_a_fact_that_lost_every_mention_is_gone() -> None:
    rng = random.Random(5)
    facts = _facts(rng, 10)
    old = _mentions(rng, facts, range(0, 30))
    gone = {row["metric_id"] for row in old if row["article_id"] == "art-000"}
    kept = [row for row in old if row["article_id"] != "art-000"]
    merged, _ = _refreshed(_table(old), _table(kept), _table([]))
    assert merged.equals(metrics_from_mentions(_table(kept), _sentences))
    still = {row["metric_id"] for row in kept}
    assert gone - still and not (gone - still) & set(merged["metric_id"].to_pylist())
