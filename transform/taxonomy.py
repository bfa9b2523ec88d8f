"""The metric taxonomy: a data file (`metrics.toml`) mapping figures to metric keys."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

DEFAULT_TAXONOMY = Path(__file__).with_name("metrics.toml")

# Fixed by ../shared/spec/EXTRACTION.md; a taxonomy file may not invent keys.
METRIC_KEYS = (
    "security_events",
    "drone_incidents",
    "communes_wards",
    "personnel",
    "cases",
    "suspects",
    "violations",
    "vehicles",
    "casualties",
    "money",
    "plans",
)


def _norm(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


_FIRST_WORD = re.compile(r"[^\W_]*")  # letters and digits, as `str.isalnum` counts them


def _first_word(text: str) -> str:
    return _FIRST_WORD.match(text)[0]  # type: ignore[index]  # matches always, maybe empty


def _starts_with_word(text: str, cue: str) -> bool:
    return text.startswith(cue) and (len(text) == len(cue) or not text[len(cue)].isalnum())


@cache
def _as_word(cue: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(cue)}(?!\w)")


def _has_word(text: str, cue: str) -> bool:
    """Whether `cue` occurs in `text` as whole words; a substring test first rules out
    most cues at C speed (this runs for every cue of every metric for every figure)."""
    return cue in text and _as_word(cue).search(text) is not None


@dataclass(frozen=True)
class Metric:
    key: str
    description: str
    head: tuple[str, ...] = ()
    within: tuple[str, ...] = ()
    unit: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    context_heads: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    metrics: tuple[Metric, ...]
    source: str
    version: str  # digest of the file: tables made with another taxonomy are recomputed

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.metrics]

    @cached_property
    def _heads_by_first_word(self) -> dict[str, list[tuple[int, str]]]:
        """(metric order, cue) of every head cue, by the cue's first word: an item can only
        start with the cues that share its first word (a lookup, not 90 comparisons)."""
        index: dict[str, list[tuple[int, str]]] = {}
        for order, metric in enumerate(self.metrics):
            for cue in metric.head:
                index.setdefault(_first_word(cue), []).append((order, cue))
        return index

    def metric_for(self, unit: str | None, item: str | None, context_before: str = "") -> str | None:
        """The metric key of a figure, or None. The longest matching cue wins."""
        item_n, unit_n, context_n = _norm(item), _norm(unit), _norm(context_before)
        head_lengths: dict[int, list[int]] = {}
        for order, cue in self._heads_by_first_word.get(_first_word(item_n), []) if item_n else []:
            if _starts_with_word(item_n, cue):
                head_lengths.setdefault(order, []).append(len(cue))
        best: tuple[int, int, str] | None = None  # (cue length, -file order, key)
        for order, metric in enumerate(self.metrics):
            lengths = head_lengths.get(order, [])
            lengths += [len(c) for c in metric.within if item_n and _has_word(item_n, c)]
            lengths += [len(c) for c in metric.unit if unit_n == c]
            if metric.context and any(_starts_with_word(item_n, h) for h in metric.context_heads):
                lengths += [len(c) for c in metric.context if _has_word(context_n, c)]
            if lengths:
                candidate = (max(lengths), -order, metric.key)
                if best is None or candidate > best:
                    best = candidate
        return best[2] if best else None


def load_taxonomy(path: Path | str = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read and check a taxonomy file: every key must be one of `METRIC_KEYS`."""
    path = Path(path)
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    metrics = []
    for key, spec in data.get("metrics", {}).items():
        if key not in METRIC_KEYS:
            raise ValueError(f"{path}: unknown metric key {key!r}; keys are fixed: {', '.join(METRIC_KEYS)}")
        cue = {
            name: tuple(_norm(c) for c in spec.get(name, []))
            for name in ("head", "within", "unit", "context", "context_heads")
        }
        metrics.append(Metric(key=key, description=spec.get("description", ""), **cue))
    if not metrics:
        raise ValueError(f"{path}: no [metrics.*] tables")
    return Taxonomy(tuple(metrics), str(path), hashlib.sha256(raw).hexdigest()[:16])
