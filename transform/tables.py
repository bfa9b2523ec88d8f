"""Records to Arrow tables with the published schemas (`transform.schemas`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pyarrow as pa

from extract.figures import CURRENCIES
from extract.places import PlaceMention
from extract.records import Article, Figure
from transform import schemas
from transform.taxonomy import Taxonomy

# Published dates that can be true: online Vietnamese news starts in the late 1990s (1990
# leaves room for digitised archives); an earlier date is a year the text mentions
# ("năm 1975"), not the day the article appeared.
EARLIEST_PUBLISHED = date(1990, 1, 1)
# The run's day where the calendar is furthest ahead (UTC+14): a page dated today in its
# own zone is never in the future, whatever the hour in UTC.
_LATEST_ZONE = timedelta(hours=14)


def latest_published(run_time: datetime) -> date:
    """The last day an article read at `run_time` can have been published."""
    moment = run_time if run_time.tzinfo else run_time.replace(tzinfo=UTC)
    return (moment.astimezone(UTC) + _LATEST_ZONE).date()


def possible_published_date(published: date | None, run_time: datetime) -> date | None:
    """`published`, or None when no article can have been published then (before
    EARLIEST_PUBLISHED, or after the run): the row then says `none` rather than a wrong day."""
    if published is None or not EARLIEST_PUBLISHED <= published <= latest_published(run_time):
        return None
    return published


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_id(text: str) -> str:
    """Stable id of an article: a hash of its stored text (the same article from two
    sources is one article)."""
    return sha256(text)[:16]


_NO_PLACE = {field.name: None for field in schemas.PLACE_FIELDS}


def place_columns(place: PlaceMention | None) -> dict[str, object]:
    """The place columns of a figure or an article row."""
    if place is None:
        return _NO_PLACE
    return {
        "place": place.place,
        "place_code": place.code,
        "place_current": place.current,
        "place_text": place.text,
        "place_scope": place.scope,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }


def fact_key(
    value: float, value_max: float | None, unit: str | None, metric: str | None, item: str | None
) -> tuple[object, ...] | None:
    """What makes two figures of one article the same fact (the title, the lead and the
    body repeat it): the same value, range and unit, and the same metric, or, without
    one, the same item's first word; None when there is neither (nothing says that two
    "4 năm" are one fact). Qualifier and period are left out: a title states them less
    often than the body it repeats."""
    what = metric or (item.split()[0].lower() if item else None)
    return None if what is None else (value, value_max, unit, what)


# How far a title's rounded figure may lie from the body's figure it states
ROUNDING_REACH = 0.15


def rounds_to(rounded: float, qualifier: str, value: float) -> bool:
    """Whether a title's figure `rounded` with its qualifier states the body's `value`:
    "Gần 700 vụ" the 694 vụ, "Hơn 1.300 đối tượng" the 1.312. The value lies within one
    step of the rounded figure's last digit (100 for 700, 10 million for "440 triệu"), on
    the qualifier's side, and within ROUNDING_REACH of it; an exact figure rounds nothing.

    >>> rounds_to(700, "approx", 694), rounds_to(1300, "over", 1312), rounds_to(300, "over", 400)
    (True, True, False)
    """
    if rounded <= 0 or value <= 0 or value == rounded or abs(value - rounded) > ROUNDING_REACH * rounded:
        return False
    exponent = Decimal(repr(rounded)).normalize().as_tuple().exponent
    step = 10.0**exponent if isinstance(exponent, int) else 0.0
    if qualifier in ("over", "at_least"):
        return rounded < value < rounded + step
    if qualifier in ("under", "at_most"):
        return rounded - step < value < rounded
    return qualifier == "approx" and abs(value - rounded) <= step / 2


@dataclass
class _FirstMentions:
    """An article's first mentions of its facts, by fact key (`fact_key` and the change),
    with their places; and its title's figures that round a number (not yet stated by a
    figure of the body), by fact key without the value."""

    exact: dict[tuple[object, ...], list[tuple[str, str | None]]] = field(default_factory=dict)
    rounded: dict[tuple[object, ...], list[tuple[str, float, str, str | None]]] = field(default_factory=dict)

    def first_of(self, figure_id: str, fig: Figure, metric: str | None, in_title: bool) -> str | None:
        """The id of the article's earlier figure of the same fact, else None (and `fig` is
        recorded as a first mention). Two places, both named and different, are two facts.
        A body figure that a rounded title figure states repeats it ("Gần 700 vụ gian lận"
        in the title, "694 vụ" in the body), once."""
        key = fact_key(fig.value, fig.value_max, fig.unit, metric, fig.item)
        if key is None:
            return None
        key = (*key, fig.change)  # "giảm 12 vụ" repeats no "12 vụ"
        place = fig.place.place if fig.place else None
        earlier = self.exact.setdefault(key, [])
        for first_id, first_place in earlier:
            if place is None or first_place is None or place == first_place:
                return first_id
        earlier.append((figure_id, place))
        if fig.value_max is not None:
            return None
        loose = (fig.unit, key[3], fig.change)
        if in_title:
            if fig.qualifier != "exact":
                self.rounded.setdefault(loose, []).append((figure_id, fig.value, fig.qualifier, place))
            return None
        titles = self.rounded.get(loose, [])
        for i, (title_id, rounded, qualifier, title_place) in enumerate(titles):
            same_place = place is None or title_place is None or place == title_place
            if same_place and rounds_to(rounded, qualifier, fig.value):
                del titles[i]
                return title_id
        return None


def _read_currency(taxonomy: Taxonomy, fig: Figure, metric: str | None) -> str | None:
    """The currency of an amount its metric reads in a unit it does not write ("thu hơn
    11.000 tỷ" is in đồng: `rule_units`), so that sums by currency keep it; else None."""
    if metric is None or fig.unit is not None or fig.item is not None:
        return None
    read = taxonomy.by_key[metric].rule_units.get(fig.rule)
    return CURRENCIES.get(read) if read else None


def _sentence_span(text: str, fig: Figure) -> dict[str, int | None]:
    """Where the figure's sentence (or the window of it that the figure keeps) lies in the
    text: the occurrence that holds the figure. The metrics find a sentence's dates by
    these offsets, without reading the articles' text."""
    width = len(fig.sentence)
    found = text.find(fig.sentence, max(0, fig.char_end - width), fig.char_start + width) if width else -1
    if found < 0:
        return {"sentence_start": None, "sentence_end": None}
    return {"sentence_start": found, "sentence_end": found + width}


def _row_id(article: str, kind: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{article}:{kind}:{start}:{end}".encode()).hexdigest()[:16]


@dataclass
class ExtractedDocument:
    """One source document that yielded an article."""

    source_uri: str
    content_sha256: str  # of the raw bytes: how a rerun knows the document
    article: Article
    published_window: str | None = None  # its source's window, as `window_text` writes it


def window_text(window: tuple[date, date] | None) -> str | None:
    """A publication window as `articles.published_window` holds it: "2017-01-01/2017-12-31"."""
    return None if window is None else f"{window[0].isoformat()}/{window[1].isoformat()}"


@dataclass
class Rejected:
    source_uri: str
    reason: str
    detail: str
    content_sha256: str | None = None


@dataclass
class TableRows:
    """Column-wise rows of the four tables, filled document by document."""

    articles: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    dates: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)


def build_tables(
    documents: Iterable[ExtractedDocument],
    rejected: Iterable[Rejected],
    taxonomy: Taxonomy,
    *,
    extracted_at: datetime,
    extractor_version: str,
) -> dict[str, pa.Table]:
    """The four tables for these documents, as Arrow tables with explicit schemas."""
    rows = TableRows()
    seen: dict[str, str] = {}
    rejected = list(rejected)
    for doc in documents:
        art = doc.article
        aid = article_id(art.text)
        if aid in seen:  # the same article text from a second source: one article, one reject
            rejected.append(
                Rejected(doc.source_uri, "duplicate", f"same article text as {seen[aid]}", doc.content_sha256)
            )
            continue
        seen[aid] = doc.source_uri
        facts = art.facts
        published = possible_published_date(facts.published_date, extracted_at)
        precision = facts.published_precision if published else "none"
        rows.articles.append(
            {
                "article_id": aid,
                "source_uri": doc.source_uri,
                "title": facts.title,
                "outlet": facts.outlet,
                "author": facts.author,
                "published_date": published,
                "published_precision": precision,
                "published_evidence": facts.published_evidence if published else "none",
                "published_year": published.year if published else None,
                "published_window": doc.published_window,
                **place_columns(facts.place),
                "text": art.text,
                "n_chars": len(art.text),
                "content_sha256": doc.content_sha256,
                "extracted_at": extracted_at,
                "extractor_version": extractor_version,
                "taxonomy_version": taxonomy.version,
            }
        )
        first_mentions = _FirstMentions()
        # the title opens the stored text (a page's title from its metadata may not)
        title_end = len(facts.title) if facts.title and art.text.startswith(facts.title) else 0
        # the sentence holds the words a cue must (or must not) stand with
        metrics = [taxonomy.metric_for(f.unit, f.item, f.context_before, f.sentence, f.rule) for f in art.figures]
        figure_ids = [_row_id(aid, "figure", f.char_start, f.char_end) for f in art.figures]
        for fig, metric, figure_id in zip(art.figures, metrics, figure_ids, strict=True):
            implausible = taxonomy.implausible(metric, fig.unit, fig.value, fig.value_max)
            repeat_of = first_mentions.first_of(figure_id, fig, metric, fig.char_start < title_end)
            # a part of a figure of another metric, or of none, is no part of a fact
            whole = fig.part_of if fig.part_of is not None and metric and metrics[fig.part_of] == metric else None
            rows.figures.append(
                {
                    "figure_id": figure_id,
                    "repeat_of": repeat_of,
                    "part_of": None if whole is None else figure_ids[whole],
                    "part_rule": None if whole is None else fig.part_rule,
                    "article_id": aid,
                    "char_start": fig.char_start,
                    "char_end": fig.char_end,
                    "text": fig.text,
                    "value": fig.value,
                    "value_max": fig.value_max,
                    "unit": fig.unit,
                    "currency": fig.currency or _read_currency(taxonomy, fig, metric),
                    "item": fig.item,
                    "qualifier": fig.qualifier,
                    "change": fig.change,
                    "metric": metric,
                    "plausible": implausible is None,
                    "plausible_reason": implausible,
                    "period_start": fig.period_start,
                    "period_end": fig.period_end,
                    **place_columns(fig.place),
                    "sentence": fig.sentence,
                    **_sentence_span(art.text, fig),
                    "rule": fig.rule,
                }
            )
        for mention in art.dates:
            rows.dates.append(
                {
                    "date_id": _row_id(aid, "date", mention.char_start, mention.char_end),
                    "article_id": aid,
                    "char_start": mention.char_start,
                    "char_end": mention.char_end,
                    "text": mention.text,
                    "start_date": mention.start_date,
                    "end_date": mention.end_date,
                    "granularity": mention.granularity,
                    "year_inferred": mention.year_inferred,
                }
            )
    rows.rejects = _reject_rows(rejected, extracted_at)
    return {name: pa.Table.from_pylist(getattr(rows, name), schema=schema) for name, schema in schemas.TABLES.items()}


def _reject_rows(rejected: Iterable[Rejected], seen_at: datetime) -> list[dict]:
    return [
        {
            "source_uri": r.source_uri,
            "reason": r.reason,
            "detail": r.detail,
            "content_sha256": r.content_sha256,
            "seen_at": seen_at,
        }
        for r in rejected
    ]


def rejects_table(rejected: Iterable[Rejected], seen_at: datetime) -> pa.Table:
    return pa.Table.from_pylist(_reject_rows(rejected, seen_at), schema=schemas.REJECTS)


KEYS = {"articles": "article_id", "figures": "figure_id", "dates": "date_id"}


def _first_of_each_key(table: pa.Table, key: str) -> tuple[pa.Table, list[int]]:
    """The table without repeated keys, and the row numbers dropped.

    Only the chunks (batches) that hold a dropped row are copied: filtering the whole
    table would copy every article body once more for a handful of duplicates.
    """
    first: dict[str, int] = {}
    dropped = []
    for row, value in enumerate(table.column(key).to_pylist()):
        if value in first:
            dropped.append(row)
        else:
            first[value] = row
    if not dropped:
        return table, []
    batches, offset, pending = [], 0, set(dropped)
    for batch in table.to_batches():
        rows = range(offset, offset + batch.num_rows)
        if pending.intersection(rows):
            batch = batch.filter(pa.array([row not in pending for row in rows]))
        batches.append(batch)
        offset += len(rows)
    return pa.Table.from_batches(batches, schema=table.schema), dropped


def concat_tables(parts: Sequence[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """Tables of several batches as one set (empty tables when there are no batches).

    An article met in two batches (the same text from two sources) keeps its first rows;
    the second source becomes a `duplicate` reject, so no document goes unaccounted.
    """
    result = {}
    for name, schema in schemas.TABLES.items():
        pieces = [p[name] for p in parts if p[name].num_rows]
        result[name] = pa.concat_tables(pieces) if pieces else schema.empty_table()
    articles = result["articles"]
    result["articles"], dropped = _first_of_each_key(articles, "article_id")
    if dropped:
        ids, uris = articles.column("article_id").to_pylist(), articles.column("source_uri").to_pylist()
        kept = dict(
            zip(
                result["articles"].column("article_id").to_pylist(),
                result["articles"].column("source_uri").to_pylist(),
                strict=True,
            )
        )
        seen_at = articles.column("extracted_at")
        hashes = articles.column("content_sha256").to_pylist()
        duplicates = pa.Table.from_pylist(
            [
                {
                    "source_uri": uris[row],
                    "reason": "duplicate",
                    "detail": f"same article text as {kept[ids[row]]}",
                    "content_sha256": hashes[row],
                    "seen_at": seen_at[row].as_py(),
                }
                for row in dropped
            ],
            schema=schemas.REJECTS,
        )
        result["rejects"] = pa.concat_tables([result["rejects"], duplicates])
    for name in ("figures", "dates"):
        result[name], _ = _first_of_each_key(result[name], KEYS[name])
    return result
