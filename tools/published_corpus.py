"""How the published date fares on a whole crawled corpus (issue 11).

Extracts the article facts of every `.txt` in a tar (the baomoi crawl of 2017 by default,
or a fixed sample of it) and prints how many articles get a published date, their share
of all, the share of those that fall in the crawl year, and a histogram of years: first
by each article's own evidence, then as a run reads the tar as one source, with the window
its strongly dated articles imply (`extract.published.source_window`, no hint of the year).

    .venv/bin/python -m tools.published_corpus --shared ../shared [--sample 5000] [--show 2015]
"""

from __future__ import annotations

import argparse
import random
import sys
import tarfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from extract.decode import decode_document
from extract.pipeline import article_published
from extract.published import Published, source_window

CORPUS = Path("corpus") / "baomoi-2017.tar.gz"
# The crawl year of that corpus (first half of 2017): a fact about the data, so it lives
# here in tools/, never in extract/.
CRAWL_YEAR = 2017
SAMPLE_SEED = 11  # a fixed sample, so runs before and after a change are comparable


@dataclass(frozen=True, slots=True)
class CorpusFigures:
    articles: int
    dated: int
    in_crawl_year: int
    years: Counter[int]
    precisions: Counter[str]
    rules: Counter[str]  # articles dated by each evidence rule
    rules_in_year: Counter[str]  # of those, the ones that fall in the crawl year

    @property
    def dated_share(self) -> float:
        return self.dated / self.articles if self.articles else 0.0

    @property
    def crawl_year_share(self) -> float:
        return self.in_crawl_year / self.dated if self.dated else 0.0


def _members(tar_path: Path, sample: int | None) -> Iterator[tuple[str, bytes]]:
    with tarfile.open(tar_path) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".txt")]
        if sample and sample < len(members):  # 0 or None: the whole tar
            chosen = set(random.Random(SAMPLE_SEED).sample(range(len(members)), sample))
            members = [m for i, m in enumerate(members) if i in chosen]
        for member in members:
            handle = tar.extractfile(member)
            if handle is not None:
                yield member.name, handle.read()


Window = tuple[date, date]


def _published(item: tuple[str, bytes, date, Window | None]) -> tuple[str, Published] | None:
    name, raw, as_of, window = item
    try:
        text, _ = decode_document(raw)
    except Exception:  # rejected documents (empty, binary) are not articles
        return None
    if not text.strip():
        return None
    return name, article_published(text, as_of, window)


def read_corpus(
    tar_path: Path, sample: int | None = None, workers: int = 2, window: Window | None = None
) -> list[tuple[str, Published]]:
    """Each article's name and its publication date: by its own evidence, or within the
    source's `window` as a run gives it."""
    as_of = date.today()  # as a run would: the day the documents are read
    items = ((name, raw, as_of, window) for name, raw in _members(tar_path, sample))
    with ProcessPoolExecutor(workers) as pool:
        return [r for r in pool.map(_published, items, chunksize=64) if r is not None]


def in_window(
    found: list[tuple[str, Published]], tar_path: Path, sample: int | None, workers: int = 2
) -> tuple[list[tuple[str, Published]], Window | None]:
    """The dates as a run gives them when the corpus is one source: within the window its
    own strongly dated articles imply, if they imply one (the articles are read again, as
    the run's extraction reads them once the window is known)."""
    window = source_window(p for _, p in found)
    if window is None:
        return found, None
    return read_corpus(tar_path, sample, workers, window), window


def measure(found: list[tuple[str, Published]], show: int | None = None) -> CorpusFigures:
    articles = dated = in_year = 0
    years: Counter[int] = Counter()
    precisions: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    rules_in_year: Counter[str] = Counter()
    for name, (published, precision, rule) in found:
        articles += 1
        precisions[precision] += 1
        if published is None:
            continue
        dated += 1
        years[published.year] += 1
        rules[rule] += 1
        rules_in_year[rule] += published.year == CRAWL_YEAR
        in_year += published.year == CRAWL_YEAR
        if show is not None and published.year == show:
            print(f"  {published} {precision:5s} {rule:10s} {name}")
    return CorpusFigures(articles, dated, in_year, years, precisions, rules, rules_in_year)


def report(figures: CorpusFigures, label: str) -> str:
    lines = [
        f"=== published dates on {label}",
        f"articles {figures.articles}, given a published date {figures.dated} ({figures.dated_share:.1%} of all), "
        f"in {CRAWL_YEAR} {figures.in_crawl_year} ({figures.crawl_year_share:.1%} of those dated)",
        "precision: " + ", ".join(f"{k} {v}" for k, v in sorted(figures.precisions.items())),
        "years: " + ", ".join(f"{y} {n}" for y, n in sorted(figures.years.items())),
        "evidence rules (articles dated, share in the crawl year):",
        *(
            f"  {rule:12s} {n:5d}  {figures.rules_in_year[rule] / n:.1%}"
            for rule, n in sorted(figures.rules.items(), key=lambda rn: -rn[1])
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--sample", type=int, help="a fixed random sample of this many articles")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--show", type=int, help="list the articles dated in this year")
    args = parser.parse_args(argv)
    tar_path = args.shared / CORPUS
    if not tar_path.exists():
        print(f"published_corpus: no {tar_path}", file=sys.stderr)
        return 2
    print(corpus_report(tar_path, args.sample, args.workers, args.show))
    return 0


def corpus_report(tar_path: Path, sample: int | None, workers: int = 2, show: int | None = None) -> str:
    """Both reports: by each article's own evidence, then as a run reads the tar as one source."""
    found = read_corpus(tar_path, sample, workers)
    label = f"{tar_path.name}" + (f" (a fixed sample of {sample})" if sample else " (all)")
    own = report(measure(found, show), f"{label}, by each article's own evidence")
    bounded, window = in_window(found, tar_path, sample, workers)
    if window is None:
        return own + "\n=== as one source: its strongly dated articles imply no window"
    implied = f"{label} read as one source, in the window its articles imply ({window[0]} to {window[1]})"
    by_text = [(name, p) for name, p in bounded if p.evidence != "window"]
    texts = measure(by_text)
    filled = len(bounded) - len(by_text)
    summary = (
        f"dated by their own text within the window: {texts.dated} of {len(bounded)} "
        f"({texts.dated / len(bounded):.1%} of all), in {CRAWL_YEAR} {texts.crawl_year_share:.1%}; "
        f"given the window's date alone (no evidence of their own): {filled} ({filled / len(bounded):.1%})"
    )
    return own + "\n" + report(measure(bounded), implied) + "\n" + summary


if __name__ == "__main__":
    raise SystemExit(main())
