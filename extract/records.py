"""Typed records that `extract/` produces: plain data, no I/O.

The records made per mention are named tuples: as immutable as frozen dataclasses, and
several times cheaper to build, which counts at hundreds of thousands per corpus.

All offsets are Python string indices into `Article.text`, the stored article text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from extract.places import PlaceMention

Precision = Literal["day", "month", "year", "none"]
Granularity = Literal["day", "month", "year"]
Qualifier = Literal["exact", "approx", "over", "under", "at_least", "at_most"]
Change = Literal["rise", "fall"]


class DateMention(NamedTuple):
    """A calendar reference in the text: a day, month or year, or a span of those."""

    char_start: int
    char_end: int
    text: str
    start_date: date
    end_date: date
    granularity: Granularity
    year_inferred: bool = False
    # a span that states when something happened over time ("Trong năm 2025", "6 tháng
    # đầu năm 2017", "từ tháng 5-2015 đến tháng 2-2017"): figures nearby take it as period
    is_period: bool = False


class Figure(NamedTuple):
    """A reported quantity: `value` (and `value_max` for a range) of `unit` `item`."""

    char_start: int
    char_end: int
    text: str
    value: float
    value_max: float | None
    unit: str | None
    item: str | None
    qualifier: Qualifier
    period_start: date | None
    period_end: date | None
    sentence: str
    # the words just before the number, for the metric taxonomy ("bắt giữ 3 người")
    context_before: str = ""
    # the attachment rule that made it (`extract.figures.RULES`)
    rule: str = ""
    # ISO 4217 code of a money unit ("VND" for đồng, "GBP" for bảng), else None
    currency: str | None = None
    # the province, country or nation it applies to (`extract.places`), else None
    place: PlaceMention | None = None
    # "rise"/"fall" when the number is a change, not a level: "giảm 12 vụ so với cùng kỳ"
    # counts cases, but no month's total adds it. None for a level.
    change: Change | None = None
    # the index, among its article's figures, of the figure this one breaks down ("bắt 70
    # đối tượng, trong đó 30 …": the 30 are part of the 70), and the rule that says so
    # (`extract.breakdowns`); None for a figure that is no part
    part_of: int | None = None
    part_rule: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    title: str | None
    outlet: str | None
    author: str | None
    published_date: date | None
    published_precision: Precision
    place: PlaceMention | None = None  # the article's main place
    # the rule that fixed the publication date (extract/published.py), "window" when the
    # source's window did, "none" when nothing did
    published_evidence: str = "none"


@dataclass(frozen=True, slots=True)
class KnownFacts:
    """Facts the document's container states, such as a web page's metadata: they outrank
    what the text implies. None where the container is silent."""

    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published_date: date | None = None
    # the first and last day the document's source was published in (sources.yaml
    # `published_between`, a user's statement about an archive): it bounds the date
    published_between: tuple[date, date] | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One document after extraction."""

    text: str
    facts: ArticleFacts
    figures: list[Figure] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
