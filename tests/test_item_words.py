"""extract/lexicon/item_words.toml (issue 11) against tests/corpus/items.toml.

extract/figures.py merges the word lists into its item stops at import; the two
structural rules (a personal name after a person noun, a clause after a comma, two spaces
before a capital) are code
in its `_item_phrase`.
"""

from __future__ import annotations

import sys

import pytest

import extract.figures as figures
from extract.dates import find_dates
from extract.lexicon import load
from tests.corpus import load_examples
from tools.grow_item_words import _parts, _require_pyvi, _spans

WORDS = load("item_words")
EXAMPLES = load_examples("items")
ENDS = {w.lower() for w in WORDS["item_ends"]["words"]}
KEEPS = {w.lower() for w in WORDS["item_keeps"]["words"]}
NOT_ENDS = {w.lower() for w in WORDS["not_item_ends"]["words"]}
STRUCTURAL = {
    "person_name",
    "comma_clause",
    "glued_caption",
    "item_compounds",
    "item_opening_nouns",
    "item_modifier_stops",
}


def test_the_lists_are_merged_into_the_item_stops() -> None:
    assert ENDS <= figures._ITEM_STOPS
    assert all(figures._COMPOUND.at(keep, 0, keep.split()[0]) for keep in KEEPS)


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e['rule']}: {e['text'][:50]}" for e in EXAMPLES])
def test_item_corpus(example: dict) -> None:
    text = example["text"]
    found = figures.find_figures(text, find_dates(text, None))
    by_text = {f.text: f.item for f in found}
    assert example["figure"] in by_text, (example["rule"], [f.text for f in found])
    assert by_text[example["figure"]] == example["item"], example["rule"]


def test_lists_agree() -> None:
    assert not ENDS & NOT_ENDS, "a word both ends and must not end an item"
    stops = {w.lower() for w in load("figures")["item_stops"]["words"]}
    assert not NOT_ENDS & stops, "a word kept in items is an item stop of figures.toml"
    for keep in KEEPS:  # a keep is needed only where an end word is one of its words ("bê tông")
        assert any(f" {end} " in f" {keep} " for end in ENDS), keep
    assert every_rule_has_examples()


def every_rule_has_examples() -> bool:
    return {e["rule"] for e in EXAMPLES} == {"item_ends", "item_keeps", "not_item_ends"} | STRUCTURAL


def test_grow_tool_helpers() -> None:
    """The offline tool's alignment of pyvi words with the text, without pyvi."""
    sentence = "Có 5 cảnh sát  lao vào."
    assert _spans(sentence, ["Có", "5", "cảnh_sát", "lao", "vào", "."]) == [
        (0, 2),
        (3, 4),
        (5, 13),
        (15, 18),
        (19, 22),
        (22, 23),
    ]
    assert _spans(sentence, ["Có", "6"]) is None  # a word the text does not have
    assert sorted(_parts("học_sinh")) == ["học", "sinh"]
    assert list(_parts("xe")) == []


def test_grow_tool_needs_pyvi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyvi", None)  # import fails as without the package
    with pytest.raises(SystemExit, match="pip install pyvi"):
        _require_pyvi()
