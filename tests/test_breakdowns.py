"""Breakdowns: which figure is part of which (extract/breakdowns.py), and the tables and
metrics that carry the link (`figures.part_of`, `metrics.part_of`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from extract.breakdowns import RULES, breakdowns
from extract.document import Document
from extract.pipeline import extract_article
from tests.corpus import load_examples
from transform.facts import build_metrics, whole_exists
from transform.tables import ExtractedDocument, build_tables
from transform.taxonomy import default_taxonomy

EXAMPLES = load_examples("breakdowns")
AS_OF = date(2026, 12, 1)


def _parts(text: str) -> tuple[list[str], list[str]]:
    article = extract_article(text, AS_OF)
    found = breakdowns(Document(article.text), article.figures)
    figures = article.figures
    return [f"{figures[b.part].text} <- {figures[b.whole].text}" for b in found], [b.rule for b in found]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["text"][:50])
def test_breakdown_examples(example: dict) -> None:
    parts, rules = _parts(example["text"])
    assert parts == example["parts"], example.get("why", "")
    if example["parts"]:
        assert rules[0] == example["rule"]
        assert set(rules) <= set(RULES)


def test_every_rule_has_examples() -> None:
    assert {e["rule"] for e in EXAMPLES if e["parts"]} == set(RULES)


def test_the_article_records_its_parts() -> None:
    article = extract_article("Công an tỉnh bắt 70 đối tượng, trong đó 30 đối tượng là nữ.", AS_OF)
    whole, part = article.figures
    assert (whole.part_of, part.part_of, part.part_rule) == (None, 0, "in_sentence")


def test_a_table_of_thousands_of_figures_in_one_sentence_stays_linear() -> None:
    # every figure a candidate part of the one before it: LOOK_BACK bounds the search
    text = "Tổng 100000 vụ, trong đó " + ", ".join(f"{n} vụ" for n in range(5000, 1, -1)) + "."
    article = extract_article(text, AS_OF)
    found = breakdowns(Document(article.text), article.figures)
    assert len(found) == len(article.figures) - 1


def _tables(text: str) -> dict:
    article = extract_article(text, AS_OF)
    doc = ExtractedDocument("memory://a.txt", "0" * 64, article)
    return build_tables(
        [doc], [], default_taxonomy(), extracted_at=datetime(2026, 12, 1, tzinfo=UTC), extractor_version="t"
    )


def _linked(text: str, part_value: float, whole_value: float, rule: str) -> tuple[dict, pd.DataFrame]:
    """The tables of `text`, and its figures, once the part (of suspects) is checked to name
    its whole (of suspects) by `rule`."""
    tables = _tables(text)
    figures = tables["figures"].to_pandas()
    part = figures.loc[figures["value"] == part_value].iloc[0]
    whole = figures.loc[figures["value"] == whole_value].iloc[0]
    assert (part["metric"], whole["metric"]) == ("suspects", "suspects")
    assert part["part_of"] == whole["figure_id"] and part["part_rule"] == rule
    return tables, figures


def test_figures_and_metrics_link_a_part_to_its_whole_of_one_metric() -> None:
    text = "Ngày 3/5/2017, Công an tỉnh bắt 70 đối tượng, trong đó 30 đối tượng là nữ."
    tables, figures = _linked(text, 30, 70, "in_sentence")
    whole = figures.loc[figures["value"] == 70].iloc[0]
    assert pd.isna(whole["part_of"])
    metrics = build_metrics(tables["figures"], tables["articles"], tables["dates"]).to_pandas()
    by_value = metrics.set_index("value")
    assert by_value.loc[30, "part_of"] == by_value.loc[70, "metric_id"]
    assert pd.isna(by_value.loc[70, "part_of"])
    assert whole_exists(metrics, {}).fillna(True).all()


def test_no_link_between_figures_of_two_metrics() -> None:
    # 10 người are casualties, the 12 … what the sentence breaks down is not theirs
    tables = _tables("Vụ cháy làm 12 người bị thương, trong đó 10 xe máy bị thiêu rụi.")
    figures = tables["figures"].to_pandas()
    assert figures["part_of"].isna().all()


def test_whole_exists_flags_a_part_of_another_metric() -> None:
    metrics = pd.DataFrame(
        {"metric_id": ["a", "b", "c"], "metric": ["cases", "cases", "suspects"], "part_of": [None, "a", "a"]}
    )
    found = whole_exists(metrics, {})
    assert found.isna().tolist() == [True, False, False]
    assert found.fillna(False).tolist() == [False, True, False]


def test_a_part_named_before_its_whole_links_and_validates() -> None:
    """Rule among: the whole follows the part ("2 trong số 5 nghi phạm"), and the check that
    a part names a larger figure of its metric accepts it there (and only for that rule)."""
    from transform.validate import _part_of_larger

    _, figures = _linked("Ngày 3/5/2017, Công an đã bắt 2 trong số 5 nghi phạm của vụ cướp.", 2, 5, "among")
    assert _part_of_larger(figures, {}).fillna(True).all()
    figures.loc[figures["value"] == 2, "part_rule"] = "in_sentence"  # a later whole breaks down nothing
    assert not _part_of_larger(figures, {}).fillna(True).all()
