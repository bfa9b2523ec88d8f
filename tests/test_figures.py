"""extract/figures.py and the metric taxonomy against tests/corpus/figures.toml."""

from __future__ import annotations

from datetime import date

import pytest

from extract.dates import find_dates
from extract.figures import RULE_NAMES, find_figures
from extract.sentences import SentenceFinder, split_sentences
from tests.corpus import load_examples
from transform.taxonomy import load_taxonomy

EXAMPLES = load_examples("figures")
NEGATIVE = load_examples("figures_negative")
TAXONOMY = load_taxonomy()


def _figures(text: str, reference: date | None):
    return find_figures(text, find_dates(text, reference))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["text"][:60] for e in EXAMPLES])
def test_corpus(example: dict) -> None:
    text = example["text"]
    found = _figures(text, example.get("reference"))
    expected = example.get("figures", [])
    assert len(found) == len(expected), [f.text for f in found]
    for figure, want in zip(found, expected, strict=True):
        assert text[figure.char_start : figure.char_end] == figure.text
        assert figure.value == pytest.approx(want["value"])
        if "text" in want:
            assert figure.text == want["text"]
        for field in ("value_max", "unit", "item", "qualifier", "rule", "currency", "change"):
            if field in want:  # "none": the field is empty
                assert getattr(figure, field) == (None if want[field] == "none" else want[field]), field
        if "metric" in want:
            metric = TAXONOMY.metric_for(figure.unit, figure.item, figure.context_before, figure.sentence, figure.rule)
            assert metric == (None if want["metric"] == "none" else want["metric"]), "metric"
        if want.get("period") == "none":
            assert figure.period_start is None and figure.period_end is None
        elif "period" in want:  # ["2016-04-01", "none"]: a span with no end stated
            bounds = [figure.period_start, figure.period_end]
            assert [b.isoformat() if b else "none" for b in bounds] == want["period"], "period"


@pytest.mark.parametrize("example", NEGATIVE, ids=[e["text"][:60] for e in NEGATIVE])
def test_negative_corpus(example: dict) -> None:
    found = _figures(example["text"], example.get("reference"))
    if "figures" in example:
        assert len(found) == example["figures"], (example["why"], [f.text for f in found])
    if example.get("no_period"):
        periods = [(f.period_start, f.period_end) for f in found]
        assert periods == [(None, None)] * len(found), (example["why"], [f.text for f in found], periods)
    if example.get("no_metric"):
        metrics = [TAXONOMY.metric_for(f.unit, f.item, f.context_before, f.sentence, f.rule) for f in found]
        assert metrics == [None] * len(found), (example["why"], [f.text for f in found], metrics)
    if example.get("no_change"):
        changes = [f.change for f in found]
        assert changes == [None] * len(found), (example["why"], [f.text for f in found], changes)


def test_every_rule_has_examples_and_every_figure_names_its_rule() -> None:
    named = {want["rule"] for example in EXAMPLES for want in example.get("figures", []) if "rule" in want}
    assert named == set(RULE_NAMES)
    for example in EXAMPLES:
        assert all(f.rule in RULE_NAMES for f in _figures(example["text"], example.get("reference")))


def test_a_figure_outside_a_period_sentence_has_no_period() -> None:
    text = "Trong năm 2025, đơn vị xử lý 283 lượt vi phạm. Hội nghị có 300 đại biểu."
    second = _figures(text, date(2026, 1, 1))[-1]
    assert second.value == 300 and second.period_start is None


def test_the_longest_metric_cue_wins() -> None:
    assert TAXONOMY.metric_for("lượt", "phương tiện bay trái phép") == "drone_incidents"
    assert TAXONOMY.metric_for("lượt", "phương tiện") == "vehicles"
    assert TAXONOMY.metric_for(None, "bãi giữ xe máy") is None  # the head noun decides
    assert TAXONOMY.metric_for(None, "người", "lực lượng đã bắt giữ ") == "suspects"


SENTENCE_TEXTS = [
    "Trong năm 2025, công an xử lý 283 vụ. TP. HCM có 12 vụ!\nĐêm 5/3… bắt 3 người.",
    "Ông A nói: “Đã xong.” (Ảnh: T.S). Th.S Lan báo cáo.\n\n  12 xã, phường.  \nKết thúc",
    "Q. 1 có 5 điểm ... Sáng 20/1 , 7 người? Vâng.\n",
]


@pytest.mark.parametrize("text", SENTENCE_TEXTS)
def test_sentence_of_a_position_is_the_whole_text_split(text: str) -> None:
    """The line-at-a-time finder agrees with splitting the whole text, for every character
    that is not a space (figures start at one)."""
    whole = split_sentences(text)
    finder = SentenceFinder(text)
    for position, char in enumerate(text):
        if not char.isspace():
            holding = [s for s in whole if s.start <= position < s.end]
            assert [finder.at(position)] == holding, (position, char)
