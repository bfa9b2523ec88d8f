"""The bench's corpora: the real one unpacked, scaled copies of it, and the documents a
refresh adds.

A scaled corpus holds `scale` copies of every document, each copy in its own folder
(`copy-alpha/…`, `copy-beta/…`) and made distinct by one line naming it, so that each
copy is a new article (articles are keyed by the hash of their text). The line is
letters only (no digit, no number word, no Roman numeral) so it makes no figure and no
date, and it goes where no article fact is read: after the title, byline and lead, and
before the closing credit (`copy_line_at`). `same_extraction` checks that on samples.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import time
from pathlib import Path

from extract.decode import Rejection, decode_document

# Copy names: Greek letters spelled out, without the short ones that could read as
# something ("xi" is a Roman numeral, "mu", "nu", "pi" are too short to be safe).
COPY_NAMES = (
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "omicron",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
)
ADDED_NAME = "added"  # the documents a refresh adds are one more copy, named apart from all
SAME_EXTRACTION_SAMPLE = 40  # documents checked after each build


def copy_name(index: int) -> str:
    """The name of copy `index` (0-based): a Greek letter, then pairs of them."""
    if index < 0:
        raise ValueError(f"copy index {index} < 0")
    first, rest = COPY_NAMES[index % len(COPY_NAMES)], index // len(COPY_NAMES)
    return first if rest == 0 else f"{first}-{copy_name(rest - 1)}"


def copy_line(name: str) -> str:
    # ASCII: the same bytes in UTF-8 and CP1258; ends with a full stop, as a credit's
    # preceding sentence does, so a credit on the next line still reads as one
    return f"Solieu bench copy {name}."


def copy_line_at(text: str) -> int:
    """Where a copy's line goes in `text`: the start of its last nonempty line (the end
    of a text of one line). The header facts (title, byline, outlet, publication date)
    are read at the start and the credit from the last line, so a line between keeps
    them; measured on the real corpus (title, summary and body, a line each), copies
    kept the figures, dates and facts of all but 0.07 % of documents, where one more
    paragraph moves a date or figure across a reach counted in characters or paragraphs."""
    starts, position = [], 0
    for line in text.split("\n"):
        if line.strip():
            starts.append(position)
        position += len(line) + 1
    return starts[-1] if len(starts) >= 2 else len(text)


def with_copy_line(text: str, name: str) -> str:
    at = copy_line_at(text)
    head, tail = text[:at], text[at:]
    if head and not head.endswith("\n"):  # at the end of the text: a line of its own
        head += "\n"
    return f"{head}{copy_line(name)}\n{tail}"


def split_for_copies(raw: bytes) -> tuple[bytes, bytes] | None:
    """The document's UTF-8 bytes before and after the copy's line, or None for a document
    the flow rejects as it is (its copies are its bytes again: duplicates, as rejects)."""
    try:
        text = decode_document(raw)[0]
    except Rejection:
        return None
    marked = with_copy_line(text, "\0")
    at = marked.index(copy_line("\0"))
    return marked[:at].encode("utf-8"), marked[at + len(copy_line("\0")) :].encode("utf-8")


def documents(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.txt") if p.is_file())


def unpacked(archive: Path, target: Path) -> Path:
    """The real corpus, unpacked once into `target` (later runs reuse it)."""
    marker = target / ".complete"
    if not marker.exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        with tarfile.open(archive) as packed:
            packed.extractall(target, filter="data")
        marker.touch()
    return target


def write_copies(source: Path, target: Path, names: list[str], limit: int | None = None) -> dict:
    """Copies named `names` of every document under `source` (the first `limit` only, if
    given) into `target/copy-NAME/…`; returns what was written and how fast."""
    started = time.perf_counter()
    paths = documents(source)[:limit]
    parts = [split_for_copies(path.read_bytes()) for path in paths]
    relative = [path.relative_to(source) for path in paths]
    prepared = time.perf_counter() - started
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    written = 0
    for name in names:
        folder = target / f"copy-{name}"
        for parent in sorted({folder / r.parent for r in relative}):
            parent.mkdir(parents=True, exist_ok=True)
        line = copy_line(name).encode("ascii") + b"\n"
        for rel, path, split in zip(relative, paths, parts, strict=True):
            content = path.read_bytes() if split is None else split[0] + line + split[1]
            fd = os.open(folder / rel, flags, 0o644)
            try:
                os.write(fd, content)
            finally:
                os.close(fd)
            written += len(content)
    seconds = time.perf_counter() - started
    return {
        "documents": len(paths) * len(names),
        "megabytes": written / 1e6,
        "seconds": seconds,
        "prepare_seconds": prepared,
        "unchanged_rejects": sum(split is None for split in parts),
    }


def scaled(source: Path, target: Path, scale: int) -> tuple[Path, dict]:
    """`scale` distinct copies of the corpus at `source`, built once into `target`; the
    build's figures are kept in its `.complete` marker and returned again later."""
    marker = target / ".complete"
    if marker.exists():
        return target, {**json.loads(marker.read_text(encoding="utf-8")), "cached": True}
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    built = write_copies(source, target, [copy_name(i) for i in range(scale)])
    built["checked"] = same_extraction_sample(source, target / f"copy-{copy_name(scale - 1)}")
    marker.write_text(json.dumps(built), encoding="utf-8")
    return target, {**built, "cached": False}


def added(source: Path, target: Path, count: int) -> Path:
    """`count` documents new to every scaled corpus: copies named ADDED_NAME, built once."""
    marker = target / ".complete"
    if not marker.exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        write_copies(source, target, [ADDED_NAME], limit=count)
        marker.touch()
    return target


def _comparable(text: str) -> tuple:
    """What extraction makes of `text`, without offsets (a copy's line shifts them) or
    the words before a figure (a figure opening the line after the copy's line has it
    as its context)."""
    from extract.pipeline import extract_article

    article = extract_article(text)
    facts = article.facts
    figures = sorted(  # by repr: None sorts with neither str nor float
        (
            (
                f.text,
                f.value,
                f.value_max,
                f.unit,
                f.item,
                f.qualifier,
                f.period_start,
                f.period_end,
                f.sentence,
                f.rule,
            )
            for f in article.figures
        ),
        key=repr,
    )
    dates = sorted(
        ((d.text, d.start_date, d.end_date, d.granularity, d.year_inferred, d.is_period) for d in article.dates),
        key=repr,
    )
    header = (facts.title, facts.outlet, facts.author, facts.published_date, facts.published_precision)
    return article.text, header, figures, dates


def same_extraction(original: str, copy: str) -> dict[str, bool]:
    """Whether the copy has the original's header facts, figures and dates, and a stored
    text of its own (a copy's line lost to boilerplate would make it a duplicate)."""
    ours, theirs = _comparable(original), _comparable(copy)
    return {
        "distinct_text": ours[0] != theirs[0],
        "facts": ours[1] == theirs[1],
        "figures": ours[2] == theirs[2],
        "dates": ours[3] == theirs[3],
    }


def same_extraction_sample(source: Path, copies: Path, sample: int = SAME_EXTRACTION_SAMPLE) -> dict:
    """`same_extraction` over every len/sample-th document and its copy under `copies`."""
    paths = documents(source)
    checked = {"documents": 0, "facts": 0, "figures": 0, "dates": 0, "distinct_text": 0}
    for path in paths[:: max(1, len(paths) // sample)]:
        try:
            original = decode_document(path.read_bytes())[0]
            copy = decode_document((copies / path.relative_to(source)).read_bytes())[0]
        except Rejection:
            continue
        checked["documents"] += 1
        for what, same in same_extraction(original, copy).items():
            checked[what] += same
    return checked
