"""When an article was published, from the evidence it carries (EXTRACTION.md "Article facts").

Evidence order: the header; then the text's own day ("Sáng nay (20/1)", "Hôm qua (18/5)",
or a lead that opens with "Ngày 5/2, …"); then what the text implies. News reports the
past, so an article is written on or after the full dates it cites, and the year of a
yearless lead day is the first that does not put it before them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, timedelta

from extract.dates import Point, RawDate, resolve
from extract.lexicon import PhraseSet, alternation, load, lowered_like
from extract.records import DateMention, Precision

_LEX = load("dates")
_DM = r"(?P<d>0?[1-9]|[12]\d|3[01])\s*[/\-.]\s*(?P<m>0?[1-9]|1[0-2])(?:\s*[/\-.]\s*(?P<y>(?:19|20)\d\d))?(?![\w/\-])"


def _day_cue_patterns(cues: list[str]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The pattern of a cue followed by its day ("Sáng nay (20/1)"), and its gate.

    Every cue ends in one of a few words ("nay", "qua"): a literal search of the
    lower-cased text for them followed by a number rules most articles out far faster
    than the cue alternation, with its look-behind and IGNORECASE, can.
    """
    # possessive spaces: a day follows, never a space, so no split of a run of spaces
    # among the three can match where the whole run does not (trying them all is cubic)
    cue = re.compile(rf"(?<!\w)(?:{alternation(cues)})\s*+,?\s*+\(?\s*+{_DM}", re.IGNORECASE)
    gate = re.compile(rf"(?:{alternation({w.split()[-1].lower() for w in cues})})\s*+,?\s*+\(?\s*+\d")
    return cue, gate


_TODAY, _TODAY_GATE = _day_cue_patterns(_LEX["today_cues"]["words"])
_YESTERDAY, _YESTERDAY_GATE = _day_cue_patterns(_LEX["yesterday_cues"]["words"])
_FUTURE_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_LEX['future_cues']['words'])})[\s,]+(?:[\w.]+[\s,]+){{0,2}}$", re.IGNORECASE
)
_CLOCK_BEFORE = re.compile(
    r"\d{1,2}\s*(?:giờ|h|g)(?:\s*\d{1,2}(?:\s*phút)?)?\s*(?:sáng|chiều|tối|trưa|đêm|khuya)?\s*,?\s*$", re.IGNORECASE
)
_SENTENCE_START = re.compile(r"(?:^|[\n.!?]\s*|\)\s*[-–—]\s*)$")
_BIRTH_BEFORE = PhraseSet(_LEX["birth_cues"]["words"], gap=r"\s*[:.]?\s*")
# no look-behind first, so the engine skips ahead to "19"/"20"; `_glued_before` checks it
_BARE_YEAR = re.compile(r"(?:19[5-9]\d|20\d\d)(?![\w/\-])")
LEAD_WINDOW = 700  # characters of body in which a sentence-opening day is the article's own


@dataclass(frozen=True, slots=True)
class DayCue:
    """A day the text gives as its own, and how many days after it the article is dated."""

    point: Point
    days_after: int = 0


def _point(match: re.Match[str]) -> Point:
    return Point(int(match["y"]) if match["y"] else None, int(match["m"]), int(match["d"]))


def day_cue(text: str, body_start: int, raws: list[RawDate], lowered: str | None = None) -> DayCue | None:
    """The text's own day: today's, yesterday's, or the day a lead sentence opens with.
    `lowered` is `lowered_like(text)` when the caller has it already."""
    lowered = lowered_like(text) if lowered is None else lowered
    today = _TODAY.search(text) if _TODAY_GATE.search(lowered) else None
    if today:
        return DayCue(_point(today))
    lead_end = body_start + LEAD_WINDOW
    yesterday = _YESTERDAY_GATE.search(lowered, body_start, lead_end) and _YESTERDAY.search(text, body_start, lead_end)
    if yesterday:
        return DayCue(_point(yesterday), days_after=1)
    first_stop = text.find(". ", body_start)
    first_sentence_end = first_stop if first_stop > 0 else len(text)
    for raw in raws:
        if raw.start < body_start or raw.granularity != "day" or raw.first != raw.last or raw.first.lunar:
            continue
        if raw.start >= body_start + LEAD_WINDOW:
            break
        before = text[max(body_start, raw.start - 25) : raw.start]
        own_first_word = text[raw.start : raw.end].split()[0].lower()
        if own_first_word in ("từ", "đến", "tới", "hết") or _FUTURE_BEFORE.search(before):
            continue  # a start or a deadline, not the day of writing
        if _CLOCK_BEFORE.search(before):
            continue  # "Khoảng 22 giờ ngày 18/5": when the event happened
        if raw.start < first_sentence_end or _SENTENCE_START.search(text[max(0, raw.start - 6) : raw.start]):
            return DayCue(raw.first)
    return None


@dataclass(frozen=True, slots=True)
class Evidence:
    floor: date | None  # the latest full day the text cites as past
    year: int | None  # the latest year it cites (months, years, days)
    explicit: list[DateMention]


def evidence(text: str, raws: list[RawDate], as_of: date | None = None) -> Evidence:
    explicit: list[DateMention] = []
    years: list[int] = []
    for raw in raws:
        if not raw.explicit_year or raw.rule in ("term", "now_until_year_end"):
            continue
        if _FUTURE_BEFORE.search(text[max(0, raw.start - 25) : raw.start]):
            continue
        mention = resolve(raw, text, None)
        if mention is not None:
            explicit.append(mention)
            # a span that ended ("từ tháng 5-2015 đến tháng 2-2017") counts by its last year
            years.append(mention.end_date.year if mention.is_period else mention.start_date.year)
        elif raw.last_is_reference and raw.first.year is not None:  # "Từ đầu năm 2017 đến nay"
            years.append(raw.first.year)
    floor = max((m.start_date for m in explicit if m.granularity == "day"), default=None)
    year = max(years, default=None)
    if year is None:  # "năm APEC 2017", "Xuân Đinh Dậu 2017": a bare year is weak evidence
        # not a birth year, and not inside a mention already judged ("nhiệm kỳ 2015 - 2020")
        taken = _Spans([(r.start, r.end) for r in raws])
        bare = [
            int(m[0])
            for m in _BARE_YEAR.finditer(text)
            if not _glued_before(text, m.start())
            and not _BIRTH_BEFORE.phrase_before(text, m.start())
            and not taken.holds(m.start())
            and (as_of is None or int(m[0]) <= as_of.year)
        ]
        year = max(bare, default=None)
    return Evidence(floor, year, explicit)


class _Spans:
    """Spans that do not overlap (date mentions), asked whether one holds a position in
    logarithmic time: a scan of all of them per bare year was quadratic."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]

    def holds(self, position: int) -> bool:
        index = bisect.bisect_right(self.starts, position) - 1
        return index >= 0 and position < self.spans[index][1]


def _glued_before(text: str, pos: int) -> bool:
    """Whether a word, number or date part ends right at `pos` ("A2017", "12/2017")."""
    return pos > 0 and (text[pos - 1].isalnum() or text[pos - 1] in "_/.-")


def _dated(point: Point, year: int, days_after: int) -> date | None:
    try:
        return date(year, point.month or 1, point.day or 1) + timedelta(days=days_after)
    except ValueError:
        return None


def _year_for(point: Point, found: Evidence) -> int | None:
    if found.floor is not None:
        for year in (found.floor.year, found.floor.year + 1):
            candidate = _dated(point, year, 0)
            if candidate is not None and candidate >= found.floor:
                return year
    return found.year


def published_date(
    header: date | None,
    header_precision: Precision,
    text: str,
    body_start: int,
    raws: list[RawDate],
    as_of: date | None = None,
    lowered: str | None = None,
) -> tuple[date | None, Precision]:
    """The publication date and its precision. `as_of` (the day of the run) bounds what the
    text can imply: an article is not published after it is read. `lowered` is
    `lowered_like(text)` when the caller has it already."""
    published, precision = _published_date(header, header_precision, text, body_start, raws, as_of, lowered)
    if published is not None and as_of is not None and header is None and published > as_of:
        return None, "none"  # the text implies a future day: no evidence fixes the date
    return published, precision


def _published_date(
    header: date | None,
    header_precision: Precision,
    text: str,
    body_start: int,
    raws: list[RawDate],
    as_of: date | None,
    lowered: str | None,
) -> tuple[date | None, Precision]:
    if header is not None and header_precision == "day":
        return header, "day"
    if as_of is not None:  # plans and forecasts ("năm 2050") are not evidence of when it was written
        raws = [r for r in raws if r.first.year is None or r.first.year <= as_of.year]
    cue = day_cue(text, body_start, raws, lowered)
    if header is not None:
        # "Sáng nay (20/1)" in a 2021-01 document dates it to the day
        if cue is not None and (header_precision == "year" or cue.point.month == header.month):
            dated = _dated(cue.point, cue.point.year or header.year, cue.days_after)
            if dated is not None and dated.year == header.year:
                return dated, "day"
        return header, header_precision
    found = evidence(text, raws, as_of)
    if cue is not None:
        year = cue.point.year or _year_for(cue.point, found)
        dated = _dated(cue.point, year, cue.days_after) if year else None
        # a lead day earlier than a full date the text cites is an event, not the writing
        if dated is not None and (found.floor is None or dated >= found.floor) and (as_of is None or dated <= as_of):
            return dated, "day"
    if found.year is None:
        return None, "none"
    # no day of its own: the article is at least as late as the latest day or month it cites
    reference = date(found.year, 7, 1)
    cited = [*found.explicit]
    cited += [m for m in (resolve(r, text, reference) for r in raws if not r.explicit_year) if m is not None]
    # single days and months only: "những tháng đầu năm 2017" dates nothing to the month
    cited = [
        m
        for m in cited
        if m.granularity in ("day", "month")
        and (m.start_date.year, m.start_date.month) == (m.end_date.year, m.end_date.month)
        and m.start_date.year == found.year
    ]
    if cited:
        latest = max(m.start_date for m in cited)
        return date(latest.year, latest.month, 1), "month"
    return date(found.year, 1, 1), "year"


def reference_date(published: date | None, precision: Precision) -> date | None:
    """The date missing years are inferred from: mid-period when only month or year is known."""
    if published is None:
        return None
    if precision == "month":
        return date(published.year, published.month, 15)
    if precision == "year":
        return date(published.year, 7, 1)
    return published
