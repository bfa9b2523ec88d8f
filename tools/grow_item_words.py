"""Grow the word lists that end a figure's counted noun phrase (issue 11), offline.

A figure's `item` runs from the number (and unit) to punctuation, a number or a stop
word (`extract/lexicon/figures.toml`). The hand-made stop list misses most verbs, so
items run on into the next clause ("5 cảnh sát lao vào", "6 mũi đồng thời báo cáo").
This script finds the missing words: it runs the pipeline over a fixed random sample of
the 2017 crawl, part-of-speech tags every sentence that holds a figure with pyvi, and
counts the words inside today's items that pyvi tags as verbs, adverbs, prepositions,
conjunctions or pronouns, with how often the same word is tagged a noun or adjective
elsewhere (a word that also heads or modifies noun phrases is no safe phrase end).
It prints the candidates, most frequent first, for an analyst to review into
`extract/lexicon/item_words.toml` by hand; `--draft FILE` also writes them as a TOML
draft. pyvi is far too slow for the pipeline itself (about 0.14 MB/s), hence offline.

pyvi is no dependency of solieu; install it into the venv for this script only:

    .venv/bin/pip install pyvi
    .venv/bin/python -m tools.grow_item_words --shared ../shared --sample 5000 [--draft /tmp/item_words.toml]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.decode import decode_document
from extract.lexicon import load
from extract.pipeline import extract_article
from tools.published_corpus import CORPUS, _members

# pyvi's tags (VLSP): V verb, R adverb, E preposition, C and CC conjunction, P pronoun,
# L determiner, T particle, X unknown. N*, A and M are what a noun phrase is made of.
END_TAGS = {"V", "R", "E", "C", "CC", "P", "L", "T"}
PHRASE_TAGS = {"N", "Nc", "Nu", "Np", "Ny", "Nb", "A", "M"}
MIN_INSIDE = 5  # a candidate is seen inside this many items at least


@dataclass
class Counts:
    """What the sample says about one (lower-case) word."""

    inside: int = 0  # inside an item, after its first word, tagged END_TAGS
    first_after_head: int = 0  # of those, right after the item's first word
    tags: Counter[str] = field(default_factory=Counter)  # its tags over all figure sentences
    # inside a longer pyvi word ("sinh" in "học_sinh", "lao" in "lao_động"): the extractor
    # matches stops syllable by syllable, so such a stop would cut that word in two
    part_of: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def end_share(self) -> float:
        """The share of its occurrences tagged a verb, adverb, preposition, conjunction…"""
        total = sum(self.tags.values())
        return sum(n for t, n in self.tags.items() if t in END_TAGS) / total if total else 0.0


def _require_pyvi() -> Any:
    try:
        from pyvi import ViPosTagger, ViTokenizer
    except ImportError:
        sys.exit("grow_item_words: needs pyvi (offline only, no solieu dependency): .venv/bin/pip install pyvi")
    return ViTokenizer, ViPosTagger


def _spans(sentence: str, tokens: list[str]) -> list[tuple[int, int]] | None:
    """Each pyvi token's character span in `sentence` (its syllables joined by "_"),
    or None where the tokens do not align with the text."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for token in tokens:
        start = end = -1
        for syllable in token.split("_"):
            found = sentence.find(syllable, cursor)
            if found < 0 or sentence[cursor:found].strip():
                return None
            if start < 0:
                start = found
            end = cursor = found + len(syllable)
        spans.append((start, end))
    return spans


def _parts(token: str) -> Iterator[str]:
    """The shorter runs of syllables of a pyvi word: "học_sinh" gives "học" and "sinh"."""
    syllables = token.split("_")
    for size in range(1, len(syllables)):
        for first in range(len(syllables) - size + 1):
            yield " ".join(syllables[first : first + size])


def _figure_items(text: str) -> Iterator[tuple[str, int, int]]:
    """(sentence, item start, item end) for each figure whose item is a phrase after
    its number, offsets within the sentence."""
    article = extract_article(text)
    text = article.text  # offsets are in the parsed text (title and body)
    for figure in article.figures:
        item = figure.item
        if not item or not figure.text.endswith(item):
            continue  # no item, or one found before the number (money)
        sentence_start = text.rfind(figure.sentence, 0, figure.char_start + len(figure.sentence))
        if sentence_start < 0:
            continue
        end = figure.char_end - sentence_start
        yield figure.sentence, end - len(item), end


def collect(tar_path: Path, sample: int, progress: bool = True) -> dict[str, Counts]:
    tokenizer, tagger = _require_pyvi()
    counts: dict[str, Counts] = defaultdict(Counts)
    tagged: dict[str, tuple[list[str], list[str], list[tuple[int, int]]] | None] = {}
    began = time.monotonic()
    for done, (_, raw) in enumerate(_members(tar_path, sample), 1):
        try:
            text, _ = decode_document(raw)
        except Exception:  # rejected documents (empty, binary) are not articles
            continue
        for sentence, start, end in _figure_items(text):
            if sentence not in tagged:
                tokens, tags = tagger.postagging(tokenizer.tokenize(sentence))
                spans = _spans(sentence, list(tokens))
                tagged[sentence] = None if spans is None else (list(tokens), list(tags), spans)
                if spans is not None:
                    for token, tag in zip(tokens, tags, strict=True):
                        counts[token.replace("_", " ").lower()].tags[tag] += 1
                        for part in _parts(token.lower()):
                            counts[part].part_of += 1
            found = tagged[sentence]
            if found is None:
                continue
            tokens, tags, spans = found
            inside = [i for i, (s, e) in enumerate(spans) if s >= start and e <= end]
            for place, i in enumerate(inside[1:], 1):
                if tags[i] not in END_TAGS:
                    continue
                entry = counts[tokens[i].replace("_", " ").lower()]
                entry.inside += 1
                entry.first_after_head += place == 1
                if len(entry.examples) < 3:
                    entry.examples.append(sentence[start:end])
        if progress and done % 500 == 0:
            print(f"  {done} articles, {len(tagged)} sentences, {time.monotonic() - began:.0f} s", file=sys.stderr)
    return counts


def known_words() -> set[str]:
    """The stop words, compounds and passives the extractor has already."""
    figures = load("figures")
    sections = ("item_stops", "item_compounds", "item_modifier_stops", "item_passives")
    return {w.lower() for s in sections for w in figures[s]["words"]}


def candidates(counts: dict[str, Counts], min_inside: int = MIN_INSIDE) -> list[tuple[str, Counts]]:
    known = known_words()
    chosen = [(w, c) for w, c in counts.items() if c.inside >= min_inside and w not in known and re.match(r"\w", w)]
    return sorted(chosen, key=lambda wc: -wc[1].inside)


def report(rows: list[tuple[str, Counts]]) -> str:
    lines = ["word\tinside\tafter_head\tend_share\tpart_of\ttags\texamples"]
    for word, c in rows:
        tags = ",".join(f"{t}:{n}" for t, n in c.tags.most_common(4))
        lines.append(
            f"{word}\t{c.inside}\t{c.first_after_head}\t{c.end_share:.2f}\t{c.part_of}\t{tags}\t"
            + " | ".join(c.examples)
        )
    return "\n".join(lines)


def draft(rows: list[tuple[str, Counts]], command: str, sample: int) -> str:
    """A TOML draft: the candidates as `item_ends`, each with its counts, to review by hand."""
    lines = [
        f"# DRAFT from: {command}",
        f"# sample {sample} articles, {time.strftime('%Y-%m-%d')}; review before use",
        "[item_ends]",
        "words = [",
    ]
    for word, c in rows:
        lines.append(f'  "{word}",  # inside {c.inside}, end share {c.end_share:.2f}, part of {c.part_of}')
    lines.append("]")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--sample", type=int, default=5000, help="a fixed random sample of this many articles")
    parser.add_argument("--min-inside", type=int, default=MIN_INSIDE, help="least count inside items to list")
    parser.add_argument("--report", type=Path, help="write the candidate table (TSV) here, else print it")
    parser.add_argument("--draft", type=Path, help="also write the candidates as a TOML draft here")
    args = parser.parse_args(argv)
    _require_pyvi()  # fail before the slow part
    tar_path = args.shared / CORPUS
    if not tar_path.exists():
        sys.exit(f"grow_item_words: no corpus at {tar_path}")
    rows = candidates(collect(tar_path, args.sample), args.min_inside)
    table = report(rows)
    if args.report:
        args.report.write_text(table + "\n", encoding="utf-8")
    else:
        print(table)
    if args.draft:
        command = "python -m tools.grow_item_words " + " ".join(argv if argv is not None else sys.argv[1:])
        args.draft.write_text(draft(rows, command, args.sample), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
