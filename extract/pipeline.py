"""One document in, one `Article` out: the whole of `extract/` behind one call."""

from __future__ import annotations

from datetime import date

from extract.article import parse_document
from extract.breakdowns import breakdowns
from extract.dates import BRACKETED_YEAR, RawDate, align_same_period, find_raw_dates, resolve
from extract.document import Document
from extract.figures import find_figures
from extract.lexicon import lowered_like
from extract.places import ArticlePlaces
from extract.published import (
    Published,
    cited_as_past,
    published_with_evidence,
    reference_date,
    tet_days,
    title_event_year,
)
from extract.published import within_window as within_window  # where callers have always found it
from extract.records import Article, ArticleFacts, KnownFacts

# Part of every stored row's key: a new version reprocesses every document on purpose.
# Bump it whenever extraction output may change, or the fact mentions each batch derives
# from it (transform/facts.py: periods, repeats), which a refresh keeps for unchanged rows.
EXTRACTOR_VERSION = "0.17.0"


def latest_cited_day(raws: list[RawDate], text: str, as_of: date | None, title: str | None = None) -> date | None:
    """With no publication date, the day a yearless "ngày 5/2" is read near: the latest
    day the text cites with its year (the middle of a cited month or year, of a span of
    years its first), no later than `as_of`. News reports the past, so it was written on
    or after what it cites.
    An event the title names with its year counts as a cited year ("Kỳ thi THPT quốc gia
    2017" over a "năm 2016" compared with), unless it lies more than a year past every
    date the text cites: a qualifier of "World Cup 2022" is not reported in 2022.
    Used for dates only: their `year_inferred` says the year was supplied."""
    days: list[date] = []
    for raw in raws:
        if (
            not raw.explicit_year
            or raw.rule == BRACKETED_YEAR  # a film's or a birth year, no time of writing
            or not cited_as_past(text, raw)
            or (mention := resolve(raw, text, None)) is None
        ):
            continue  # a plan ("Từ năm 2018, … sẽ …") is no time the text was written after
        end = mention.end_date
        if raw.granularity == "year":
            # a span of years proves only its start past: a school year, a term or a plan
            # runs on after the day of writing ("năm học 2017-2018" is cited in June 2017)
            end = date(mention.start_date.year, 7, 1)
        elif raw.granularity == "month":
            end = end.replace(day=15)
        if as_of is None or end <= as_of:
            days.append(end)
    days += [day for day in tet_days(text) if as_of is None or day <= as_of]  # "trước Tết Nguyên đán 2017"
    event_year = title_event_year(title)
    if event_year is not None and (not days or event_year <= max(days).year + 1):
        event_day = date(event_year, 7, 1)
        if as_of is None or event_day <= as_of:
            days.append(event_day)
    return max(days, default=None)


def article_published(document: str, as_of: date | None = None, window: tuple[date, date] | None = None) -> Published:
    """The publication date of a decoded document and the rule that fixed it, as
    `extract_article` finds it, at a fraction of its cost (no figures, places or resolved
    dates): by its own evidence, or within its source's `window` when one is given."""
    parsed = parse_document(document)
    lowered = lowered_like(parsed.text)
    raws = find_raw_dates(parsed.text, lowered)
    return published_with_evidence(
        parsed.header_date, parsed.header_precision, parsed.text, parsed.body_start, raws, as_of, lowered, window
    )


def extract_article(document: str, as_of: date | None = None, known: KnownFacts | None = None) -> Article:
    """Extract facts, dates and figures from a decoded, NFC-normalized document.

    `as_of` is the day the document is read (the run's date): the publication date it
    implies can be no later. `known` are facts stated outside the text (a web page's
    metadata); each outranks the text's own evidence.
    """
    known = known or KnownFacts()
    parsed = parse_document(document)
    text = parsed.text
    doc = Document(text)  # once: every extractor reads its lower-cased text and bounds
    lowered = doc.lowered
    raws = find_raw_dates(text, lowered)
    header_date, header_precision = parsed.header_date, parsed.header_precision
    if known.published_date is not None:  # a page's own publication date is a dated header
        header_date, header_precision = known.published_date, "day"
    window = known.published_between
    if window is not None:  # for the years of yearless dates too (`latest_cited_day`)
        as_of = window[1] if as_of is None else min(as_of, window[1])
    found = published_with_evidence(
        header_date, header_precision, text, parsed.body_start, raws, as_of, lowered, window
    )
    published, precision = found.day, found.precision
    reference = reference_date(published, precision)
    guessed = reference is None
    if guessed:  # for the years of yearless dates only: `year_inferred` says so
        reference = latest_cited_day(raws, text, as_of, parsed.title)
    resolved = [resolve(r, text, reference, reference_is_guess=guessed, reference_precision=precision) for r in raws]
    dates = align_same_period([m for m in resolved if m is not None])
    unresolved = [(r.start, r.end) for r, m in zip(raws, resolved, strict=True) if m is None]
    places = ArticlePlaces(text, doc.lowered, published, doc.sentences)
    figures = [
        f._replace(place=places.for_figure(f.char_start, f.char_end, f.item, f.value))
        for f in find_figures(doc, dates, unresolved, guessed_years=guessed)
    ]
    for link in breakdowns(doc, figures):
        figures[link.part] = figures[link.part]._replace(part_of=link.whole, part_rule=link.rule)
    facts = ArticleFacts(
        title=known.title or parsed.title,
        outlet=known.outlet or parsed.outlet,
        author=known.author or parsed.author,
        published_date=published,
        published_precision=precision,
        published_evidence=found.evidence,
        place=places.main,
    )
    return Article(text=text, facts=facts, figures=figures, dates=dates)
