"""`make eval`: run the refresh flow on the shared gold corpora and score the tables.

For each gold file (`seeds`, `dev`, `dev2`) it runs the flow into a temporary folder and
prints `../shared/eval/score.py`'s report, then scores `dateparser.search.search_dates` on
the same stored texts and prints both side by side. `--details` lists every miss and
extra, and groups the figures' misses, extras and wrong fields by the attachment rule
that made them (the figures table's `rule`).
Then it prints the published-date figures of the 2017 crawl (`tools/published_corpus.py`)
on a fixed sample of it, to stay quick (`--corpus-sample 0` reads the whole tar).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

import pandas as pd
import pyarrow.parquet as pq

GOLD_SETS = ("seeds", "dev", "dev2")


def _scorer(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("solieu_score", shared / "eval" / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(result: dict, notes: list[str]) -> str:
    fmt = lambda x: "n/a" if x is None else f"{x:.3f}"  # noqa: E731
    lines = [f"documents: {result['documents']}"]
    for key in ("figures", "figures_strict", "dates", "dates_strict"):
        r = result[key]
        lines.append(f"{key:15s} P {fmt(r['precision'])}  R {fmt(r['recall'])}  F1 {fmt(r['f1'])}")
    lines.append("accuracy on matches: " + ", ".join(f"{k} {fmt(v)}" for k, v in result["accuracy"].items()))
    lines.extend("  " + n for n in notes)
    return "\n".join(lines)


_FIGURE_NOTE = re.compile(
    r"^(?P<doc>[^:]+): (?:(?P<kind>extra|missed) figure (?P<q1>.+)|figure (?P<q2>.+?) wrong (?P<bad>\[.*?\]))"
)


def by_rule(notes: list[str], tables: Path) -> str:
    """The figure notes of a scoring, counted by the rule of the figure they concern: a
    wrong field or an extra names our figure (found by its text in its document); a miss
    has no figure, so no rule."""
    figures = pd.read_parquet(tables / "figures", columns=["article_id", "text", "rule"])
    articles = pd.read_parquet(tables / "articles", columns=["article_id", "source_uri"])
    named = figures.merge(articles, on="article_id")
    named["doc"] = named["source_uri"].str.rsplit("/", n=1).str[-1]
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for doc, text, rule in named[["doc", "text", "rule"]].itertuples(index=False):
        texts[doc].append((text, rule))
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    totals = Counter(named["rule"])
    for note in notes:
        match = _FIGURE_NOTE.match(note)
        if match is None:
            continue
        quote = (match["q1"] or match["q2"]).strip("'\"")
        candidates = texts.get(match["doc"], [])
        rule = next((r for t, r in candidates if quote in t or t in quote), "?")
        if match["kind"] == "missed":
            rows["(missed: no figure)"]["missed"] += 1
            continue
        if match["kind"] == "extra":
            rows[rule]["extra"] += 1
            continue
        for field in re.findall(r"'(\w+)'", match["bad"]):
            rows[rule][field] += 1
    columns = ["figures", "extra", "missed", "unit", "item", "qualifier", "metric", "period", "place"]
    lines = ["--- figure notes by rule", f"{'rule':22s}" + "".join(f"{c:>10s}" for c in columns)]
    for rule in sorted(set(totals) | set(rows)):
        counts = rows.get(rule, Counter())
        cells = [totals.get(rule, 0), *(counts.get(c, 0) for c in columns[1:])]
        lines.append(f"{rule:22s}" + "".join(f"{c:>10d}" for c in cells))
    return "\n".join(lines)


def _peer_tables(tables: Path, target: Path) -> Path:
    from tools.peer_dates import search_dates_table

    target.mkdir(parents=True)
    articles = pd.read_parquet(tables / "articles")
    shutil.copytree(tables / "articles", target / "articles")
    shutil.copytree(tables / "figures", target / "figures")
    (target / "dates").mkdir()
    pq.write_table(search_dates_table(articles), target / "dates" / "part-0.parquet")
    return target


def evaluate(shared: Path, name: str, workdir: Path, details: bool) -> None:
    from flows.refresh import refresh

    scorer = _scorer(shared)
    gold = shared / "gold" / f"{name}.json"
    output = workdir / name / "tables"
    refresh(inputs=[str(shared / "corpus" / name)], output=str(output), validation_dir=str(workdir / name / "docs"))
    ours, notes = scorer.score(gold, output, details)
    print(f"=== {name} ({gold})")
    print(_report(ours, notes))
    if details:
        print(by_rule(notes, output))
    started = time.perf_counter()
    peer, _ = scorer.score(gold, _peer_tables(output, workdir / name / "peer"), False)
    seconds = time.perf_counter() - started
    print(f"--- dates beside the peer, dateparser.search.search_dates (languages=['vi'], {seconds:.1f} s)")
    print(f"{'':15s} {'solieu':>8s} {'dateparser':>11s}")
    for key in ("dates", "dates_strict"):
        print(f"{key + ' F1':15s} {ours[key]['f1']:8.3f} {peer[key]['f1']:11.3f}")
    ours_value, peer_value = (r["accuracy"]["date_value"] or 0.0 for r in (ours, peer))
    print(f"{'date_value acc':15s} {ours_value:8.3f} {peer_value:11.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--details", action="store_true")
    parser.add_argument("--only", choices=GOLD_SETS, action="append")
    parser.add_argument("--corpus-sample", type=int, default=5000, help="articles of the crawl to date; 0: all")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "score.py").exists():
        print(f"eval: {args.shared} has no eval/score.py; put ../shared beside the checkout", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="solieu-eval-") as tmp:
        for name in args.only or GOLD_SETS:
            evaluate(args.shared, name, Path(tmp), args.details)
    corpus_figures(args.shared, args.corpus_sample or None)
    return 0


def corpus_figures(shared: Path, sample: int | None) -> None:
    """Published dates on the crawl: how many articles get one, and how many of those fall
    in the crawl year (issue 11)."""
    from tools.published_corpus import CORPUS, corpus_report

    tar_path = shared / CORPUS
    if not tar_path.exists():
        print(f"=== published dates: no {tar_path}, skipped")
        return
    print(corpus_report(tar_path, sample))


if __name__ == "__main__":
    raise SystemExit(main())
