"""When an article was published, from the evidence it carries (EXTRACTION.md "Article facts").

`published_with_evidence` returns the date, its precision and the rule that fixed it
(`Published.evidence`); `published_date` is the same without the rule.

- `header`: the document's ` date …` line or the page's metadata (the caller's `header`);
  `header_cue` when the text's own day ("Sáng nay (20/1)") makes a month header a day.
- `byline`: the stamp of the article's byline, kept in its text ("Tuệ Anh | 06:56 08/02/2017").
- The text's own day (`day_cue`: today's, yesterday's, or the day a lead sentence opens
  with) takes the year of the first rule that gives one: `cue_year` (the cue writes it),
  `weekday` ("thứ Hai (15/5)"), `lunar_year` ("Tết Bính Ngọ"), `named_year` ("năm APEC
  2017"), `as_of` ("Tính đến ngày 10/7/2017"), `this_year` ("Từ đầu năm 2017 đến nay",
  "năm nay (2017)", "mùa hè 2017 này", and "năm 2016 vừa qua" for 2017), `same_period`
  ("so với cùng kỳ năm 2016": the year after), `span` (a cited span of days holds it),
  `near_day` (a full day cited as past lies a few weeks before it), `near_month` (a month
  cited as past is its month or the one before), `near_part` ("6 tháng đầu năm 2017" ends
  in its month or the one before).
- With no own day so dated, the same rules give a year, and `part` (a part of a year
  before December) or `near_any` (a yearless day of the text falls just after a cited day
  or month); the latest month the text cites in that year makes it a month.
- `none` otherwise. A year cited as past only bounds the date from below: "kể từ năm
  1994" and "năm 2010" say the article is of 2010 or later, not which year; a tally to a
  year's end ("Đến cuối năm 2016, …") says it is of the next year or later. Plans and
  forecasts ("dự kiến", "kế hoạch … năm 2020", "đến năm 2030") bound nothing. The run date
  `as_of` bounds the date from above.

Which rules are in use, and each one's precision measured on a crawl of known year, is
data: `[rules]` in lexicon/published.toml. No year is a constant here: every year comes
from the text, the run date, or the lexicon's calendar of lunar years.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from extract.dates import BRACKETED_YEAR, Point, RawDate, month_end, resolve
from extract.lexicon import PhraseSet, alternation, load, lowered_like
from extract.records import Precision

_LEX = load("dates")
_PUB = load("published")
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
# a plan may name its subject before its year, in the same clause or sentence: "kế hoạch
# phát triển kinh tế năm 2020", "sẽ bắt đầu được bán tại châu Âu vào quý II năm 2018"
PLAN_REACH = 60
_PLAN_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_PUB['plan_cues']['words'])})(?!\w)[^.;!?\n]{{0,{PLAN_REACH}}}$", re.IGNORECASE
)
_DEADLINE_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_PUB['deadline_cues']['words'])})(?!\s+(?:{alternation(_PUB['deadline_cues']['not_after'])})(?!\w))"
    rf"[\s,]+(?:\w+[\s,]+){{0,2}}$",  # within the sentence: "đến thăm. Tháng 12/2016" is no deadline
    re.IGNORECASE,
)
_DOCUMENT_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_PUB['document_names']['words'])})(?!\w)(?:[\s,]+[\w/.\-]+){{0,6}}[\s,]*$"
)
# a dated plan ([dated_plan]): a schedule word before it in its sentence, or a future word
# in its clause after it ("ngày 12/6/2017, các đại biểu sẽ biểu quyết"), and no target word
_DATED_PLAN = _PUB["dated_plan"]
_SCHEDULE_WORD = re.compile(rf"(?<!\w)(?:{alternation(_DATED_PLAN['before'])})(?!\w)", re.IGNORECASE)
_TARGET_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_DATED_PLAN['not_before'])})(?!\w)[^.;!?\n]{{0,{PLAN_REACH}}}$", re.IGNORECASE
)
# the date, a comma, the subject, the future word: "ngày 12/6/2017, các đại biểu sẽ …"; lazy
# within a bounded reach, at most 40 tries of one alternation
_SCHEDULE_AFTER = re.compile(
    rf"\s*+,\s*+(?P<gap>[^.;!?\n,]{{0,40}}?)(?<!\w)(?:{alternation(_DATED_PLAN['after'])})(?!\w)", re.IGNORECASE
)
_FUTURE_WORD = re.compile(rf"(?<!\w)(?:{alternation(_DATED_PLAN['after'])})(?!\w)", re.IGNORECASE)
_PAST_WORD = re.compile(rf"(?<!\w)(?:{alternation(_DATED_PLAN['past'])})(?!\w)", re.IGNORECASE)
# between the date and its future word, a past word or a second clause ("Cuối tháng 1.2017, nhóm
# tàu quay về Nga và dự kiến …"): the future word is not the date's
_NOT_IN_SUBJECT = re.compile(
    rf"(?<!\w)(?:{alternation(_DATED_PLAN['past'] + _DATED_PLAN['conjunctions'])})(?!\w)", re.IGNORECASE
)
# A plan's day or month this many days or fewer after the text's own day places that day in
# its year: a schedule announces the weeks ahead.
PLAN_AHEAD_DAYS = 62
# A part of a year ("6 tháng cuối năm 2017", "quý III/2017") beginning this many days or fewer
# after the text's own day places that day in the weeks before it.
PART_AHEAD_DAYS = 45
# A deadline's day is set for the coming weeks and reported on in the weeks after it ("gửi
# về bộ trước ngày 20/6/2017 … đến nay vẫn chưa thu hồi được", written 5/7): the own day
# within this many days either side of it is of its year (blind set 34)
DEADLINE_NEAR_DAYS = 45
# "Cuối tuần này Confederations Cup 2017 sẽ khai mạc": words of this week or day, and in their
# clause, within EVENT_REACH characters, a name with its year ([coming_event])
_EVENT = _PUB["coming_event"]
EVENT_REACH = 70
_SOON = re.compile(rf"(?<!\w)(?:{alternation(_EVENT['soon'])})(?!\w)")  # on the lower-cased text
# a year after a space, no part of a date ("12/6/2017") nor of a number ("2017.5"); the literal
# space first makes the scan of the whole text about twice as fast
_SPACED_YEAR = re.compile(r" ((?:19|20)\d\d)(?![\w/\-]|[.,]\d)")
NAME_WORDS = 6  # the words before a year that may name its event ("Thần tượng âm nhạc nhí 2017")
_NAME_WORD = re.compile(r"\w[\w\-.&]*")
_OPENERS = "([{\"'“‘«"
_NOT_BEFORE_EVENT_YEAR = frozenset(_EVENT["not_before_year"])
# "chuẩn bị cho giải U23 châu Á 2018": up to three words ("vòng chung kết") between the cue and the name
_PREPARED_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_EVENT['prepared_before'])})(?:\s++\w++){{0,3}}\s*+$", re.IGNORECASE
)
_PREPARED_WITHIN = re.compile(rf"(?<!\w)(?:{alternation(_EVENT['prepared_before'])})(?!\w)", re.IGNORECASE)
_AHEAD_IN_CLAUSE = re.compile(rf"(?<!\w)(?:{alternation(_EVENT['ahead_in_clause'])})(?!\w)", re.IGNORECASE)
_NOT_IN_EVENT_NAME = re.compile(rf"(?<!\w)(?:{alternation(_EVENT['not_in_name'])})(?!\w)")
_CLAUSE_STOPS = ".;!?\n"
_SAME_PERIOD_BEFORE = PhraseSet(_PUB["same_period_cues"]["words"], gap=r"[\s,]*(?:năm\s+)?")
_SAME_PERIOD_START = re.compile(rf"(?:{alternation(_PUB['same_period_cues']['words'])})(?!\w)", re.IGNORECASE)
_FIRST_PART = re.compile(r"đầu", re.IGNORECASE)
_SINCE_BEFORE = PhraseSet(_PUB["since_cues"]["words"], gap=r"\s+")
_PLAN_AFTER = re.compile(rf"^\s*,?\s*(?:{alternation(_PUB['plan_after']['words'])})(?!\w)", re.IGNORECASE)
_CLOCK_BEFORE = re.compile(
    r"\d{1,2}\s*(?:giờ|h|g)(?:\s*\d{1,2}(?:\s*phút)?)?\s*(?:sáng|chiều|tối|trưa|đêm|khuya)?\s*,?\s*$", re.IGNORECASE
)
_SENTENCE_START = re.compile(r"(?:^|[\n.!?]\s*|\)\s*[-–—]\s*)$")
LEAD_WINDOW = 700  # characters of body in which a sentence-opening day is the article's own
# A full day cited this many days or fewer before the text's own day places that day in
# its year: news cites the past weeks in full ("ngày 10/5/2017 … Ngày 19/5, …"), while a
# day cited from an earlier year falls this near by chance only about one time in twelve.
NEAR_DAYS = 31
# A weekday pins the year only this many years after the latest year the text cites as past.
WEEKDAY_SLACK = 1
RECENT_MONTHS = 3
FIRST_PART_END = 6  # "những tháng đầu năm": the first half, at most
RULES = frozenset(_PUB["rules"]["enabled"])  # the evidence rules in use (published.toml)
_WINDOW = _PUB["source_window"]
WINDOW_RULES = frozenset(_WINDOW["rules"])  # the strong rules a window is inferred from
# the rules too weak to date an article alone, tried when a source's window checks them
WINDOW_CHECKED_RULES = frozenset(_WINDOW["checked_rules"])
# Every name `Published.evidence` can take: the rules, the header's, a source's window, none.
EVIDENCE_NAMES = (
    "header", "header_cue", "byline", "cue_year", "event_day", "weekday", "lunar_year", "named_year", "as_of",
    "this_year", "coming_event", "same_period", "year_over", "span", "near_day", "near_month", "recent_month",
    "near_part", "dated_plan", "coming_part", "part", "title_year", "near_any", "latest_day", "latest_month",
    "latest", "window_year", "deadline_day", "window", "none",
)  # fmt: skip

# "Hoàng Tâm - Thể thao Việt Nam | 06:10 07/02/2017": a byline's bar, then the time and day
# the article went out (the page's own stamp, kept in the text by its crawler)
_BYLINE_STAMP = re.compile(
    r"\|\s*(?:[01]?\d|2[0-3])[:h][0-5]\d\s*,?\s*"
    r"(?P<d>0?[1-9]|[12]\d|3[01])/(?P<m>0?[1-9]|1[0-2])/(?P<y>(?:19|20)\d\d)(?![\d/])"
)


def byline_stamp(text: str, body_start: int = 0) -> date | None:
    """The day of the article's byline stamp ("Tuệ Anh | 06:56 08/02/2017"), else None.

    >>> byline_stamp("Bài viết. Xú - Thể thao Việt Nam | 21:00 31/05/2017 Tin liên quan")
    datetime.date(2017, 5, 31)
    """
    if "|" not in text:
        return None
    found = _BYLINE_STAMP.search(text, body_start)
    if found is None:
        return None
    try:
        stamp = date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:  # "31/02": no day
        return None
    return None if stamp == _UNIX_EPOCH else stamp  # "08:00 01/01/1970": a page's empty stamp


# the first day of Unix time, which a page with no date of its own prints
_UNIX_EPOCH = datetime.fromtimestamp(0, UTC).date()


_WEEKDAYS: dict[str, int] = {k.lower(): v for k, v in _PUB["weekdays"].items()}
_WEEKDAY = alternation(_WEEKDAYS)
_WEEKDAY_GAP = alternation(_PUB["weekday_gap"]["words"])
_WEEKDAY_BEFORE_DAY = re.compile(
    rf"(?<!\w)(?P<wd>{_WEEKDAY})(?!\w)(?:\s*+[,(]?\s*+(?:{_WEEKDAY_GAP})(?!\w))?\s*+[,(]?\s*+(?:ngày\s*+)?{_DM}",
    re.IGNORECASE,
)
_DAY_BEFORE_WEEKDAY = re.compile(rf"(?<![\w/\-.]){_DM}\s*+[,(]\s*+$")  # "15/5 (thứ Hai)"
_WEEKDAY_WORD = re.compile(rf"(?:{_WEEKDAY})(?!\w)", re.IGNORECASE)
_WEEKDAY_STARTS = sorted({w.split()[0] for w in _WEEKDAYS})  # "thứ", "chủ": found by str.find
_ORDINAL_BEFORE = PhraseSet(_PUB["ordinal_nouns"]["words"], gap=r"\s+")
# a year given as the present: "năm nay (2017)" after the words, "năm 2017 này" around them,
# but not "sinh năm 1995 này" (a person) nor "những năm 1970 này" (a decade)
_YEAR_AFTER_WORDS = re.compile(r"\s*[,(:]?\s*(?:là\s+)?((?:19|20)\d\d)(?!\d)")
_YEAR_BEFORE_WORDS = re.compile(r"(?<!\w)(?<!sinh )(?<!những )(?<!các )năm\s+((?:19|20)\d\d)\s+$")
# "mùa hè 2017 này", "tháng 12.2017 này": a season or a month of this year names the year too
_THIS_AFTER_ANY_YEAR = frozenset(_PUB["this_year"]["after_any_year"])
# a season or a month, not a model ("Galaxy J7 2016 này", "phiên bản 2016 này": this phone)
_ANY_YEAR_BEFORE_WORDS = re.compile(
    rf"(?<!\w)(?:(?:{alternation(_PUB['this_year']['seasons'])})(?:\s+\w+){{0,2}}\s+|tháng\s*\d{{1,2}}\s*[./\-]\s*)"
    r"((?:19|20)\d\d)\s+$"
)
_PART_BEFORE_YEAR = re.compile(rf"(?<!\w)(?:{alternation(_PUB['last_year']['not_after'])})(?:\s+\d{{1,2}})?\s+$")
# "hồi tháng 5/2017 vừa qua": a month just past in the first half of its year makes the
# present that year; a later one may be months back across New Year ("Tháng 7/2016 vừa qua"
# in February 2017): on the 2017 crawl, months up to 6 gave 6 of 6 right, up to 10 gave 7 of 9
_MONTH_JUST_PAST = re.compile(r"(?<!\w)tháng\s*(\d{1,2})\s*(?:[./\-]|\s+năm\s+)\s*((?:19|20)\d\d)\s+$")
LATEST_MONTH_JUST_PAST = 6
_NOT_LAST_YEAR_AFTER = re.compile(rf"\s+(?:{alternation(_PUB['last_year']['not_before'])})(?!\w)")
_NAME_THIS_YEAR = re.compile(r"((?:\w[\w\-]*\s+)?\w[\w\-]*)\s+năm\s+nay(?!\w)", re.IGNORECASE)
# "Tính đến ngày 10/7/2017, …": the text counts up to that day, the day it was written or just before
_LUNAR_YEARS = _PUB["lunar_years"]
_STEMS: dict[str, int] = {stem: i for i, stem in enumerate(_LUNAR_YEARS["stems"])}
_BRANCHES: dict[str, int] = {name: i for i, names in enumerate(_LUNAR_YEARS["branches"]) for name in names}
# found from each stem: "Tết Đinh Dậu", but "Mậu Thân 1968" names its own year
# "Tết Đinh Dậu 2017" gives its year with its name: `y`, when the two agree
_LUNAR_BRANCH_AFTER = re.compile(
    rf"\s+(?P<branch>{alternation(_BRANCHES)})(?!\w)(?:\s*[,(]?\s*(?:năm\s+)?(?P<y>(?:19|20)\d\d)(?![\d/\-]))?"
)
_LUNAR_GATE_WORDS = ("tết", "xuân")
_LUNAR_PAST_BEFORE = re.compile(rf"(?<!\w)(?:{alternation(_LUNAR_YEARS['past_before'])})\s+$", re.IGNORECASE)
_LUNAR_NAME_BEFORE = re.compile(rf"(?<!\w)(?:{alternation(_LUNAR_YEARS['before'])})\s+$")
# "năm APEC 2017": capitalized words between "năm" and its year name the year's theme
_THEMED_YEAR = re.compile(r"[Nn]ăm\s+(?:[A-ZĐ][\w\-]*\s+){1,4}(?P<y>(?:19|20)\d\d)(?![\d/\-])")
_UP_TO_START = re.compile(r"(?:đến|tới)(?!\w)", re.IGNORECASE)
_TINH_BEFORE = re.compile(r"(?<!\w)tính\s+$", re.IGNORECASE)
_TALLY = rf"(?<!\w)(?:{alternation(_PUB['year_end_tally']['up_to'])})\s+"
# "đến cuối năm 2016", "tới hết năm 2015": the whole mention, its tally word before it or in it
_TALLY_TO_YEAR_END = re.compile(
    rf"{_TALLY}(?:{alternation(_PUB['year_end_tally']['year_end'])})\s+năm\s+(?:19|20)\d\d$", re.IGNORECASE
)
_TALLY_TO_DAY = re.compile(rf"{_TALLY}(?:hết\s+)?(?:ngày\s+)?31\s*[/.\-]\s*12\s*[/.\-]\s*(?:19|20)\d\d$", re.IGNORECASE)
_AS_OF_BEFORE = re.compile(r"(?<!\w)tính\s+(?:đến|tới)(?:\s+hết)?(?:\s+ngày)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DayCue:
    """A day the text gives as its own, and how many days after it the article is dated."""

    point: Point
    days_after: int = 0
    at: int = -1  # where the cue stands in the text


class Published(NamedTuple):
    """The publication date, its precision, and the rule that fixed it ("none" when none did)."""

    day: date | None
    precision: Precision
    evidence: str


def _point(match: re.Match[str]) -> Point:
    return Point(int(match["y"]) if match["y"] else None, int(match["m"]), int(match["d"]))


def _opens_sentence(text: str, start: int) -> bool:
    """Whether a date at `start` opens a sentence ("Ngày 5/2, …", "…, Chiều 5/6, …")."""
    return bool(_SENTENCE_START.search(text[max(0, start - 6) : start])) or text[start].isupper()


def day_cue(text: str, body_start: int, raws: list[RawDate], lowered: str | None = None) -> DayCue | None:
    """The text's own day: today's, yesterday's, or the day a lead sentence opens with.
    `lowered` is `lowered_like(text)` when the caller has it already."""
    lowered = lowered_like(text) if lowered is None else lowered
    today = _TODAY.search(text) if _TODAY_GATE.search(lowered) else None
    if today:
        return DayCue(_point(today), at=today.start())
    lead_end = body_start + LEAD_WINDOW
    yesterday = _YESTERDAY_GATE.search(lowered, body_start, lead_end) and _YESTERDAY.search(text, body_start, lead_end)
    if yesterday:
        return DayCue(_point(yesterday), days_after=1, at=yesterday.start())
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
        opens = _opens_sentence(text, raw.start)
        if raw.first.year is not None and not opens:
            continue  # "Thông tư … ngày 16/9/2016 của Bộ": a date cited, not the day of writing
        if opens or raw.start < first_sentence_end:
            return DayCue(raw.first, at=raw.start)
    return None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the text says of its own time, apart from its own day."""

    floor: date | None  # the latest full day it cites as past
    lower: int | None  # the latest year it cites as past: the article is of that year or later
    days: list[date]  # the full days it cites as past, in order
    months: frozenset[tuple[int, int]]  # the (year, month) of the single days and months it cites as past
    recent: frozenset[tuple[int, int]]  # those and the last months of the spans it cites
    spans: list[tuple[date, date]]  # the spans of full days it cites ("từ ngày 31/5/2017 đến hết ngày 31/7/2017")
    parts: list[tuple[int, int]]  # (year, last month) of the parts of a year it cites ("6 tháng đầu năm 2017")
    present: int | None  # a year it gives as the present ("Từ đầu năm 2017 đến nay", "năm nay (2017)")
    as_of: date | None  # a day it counts up to ("Tính đến ngày 10/7/2017, …")
    title: int | None = None  # the latest year its title reports ("Đầu năm 2017, …")
    compared: int | None = None  # the year after the latest it compares with ("so với cùng kỳ năm 2016")
    lunar: int | None = None  # the year of the lunar new year it names ("Tết Đinh Dậu")
    named: int | None = None  # the year of a year named for a theme ("năm APEC 2017")
    over: int | None = None  # the year after the latest it counts up to the end of ("Đến cuối năm 2016")
    # the last days of the days and months it plans ("ngày 12/6/2017, … sẽ biểu quyết"), in order
    plans: tuple[date, ...] = ()
    coming: int | None = None  # the year of a coming event it names ("Cuối tuần này Confed Cup 2017 sẽ …")
    # the first days of the parts of a year it names with their year ("6 tháng cuối năm 2017", "quý III/2017")
    part_starts: tuple[date, ...] = ()
    deadlines: tuple[date, ...] = ()  # the days of the deadlines it names with their year ("trước ngày 20/6/2017")


# Dates that say nothing of when the text was written: a term or a horizon, a lunar year's
# name (weighed by `lunar_year`), and a year in brackets, mostly a film's, a book's or a
# person's birth ("Godzilla: King of Monsters (2019)" may be announced years ahead)
_NOT_EVIDENCE_RULES = frozenset(
    {"term", "now_until_year_end", "lunar_named_year", "tet_of_year", "vision_year", BRACKETED_YEAR}
)


def _is_plan(text: str, raw: RawDate, deadline: bool = True) -> bool:
    """Whether the mention is a plan, a forecast or (with `deadline`) a deadline ("đến ngày 31/12")."""
    before = text[max(0, raw.start - PLAN_REACH - 12) : raw.start]
    return bool(
        (deadline and _DEADLINE_BEFORE.search(before[-25:]))
        or _PLAN_BEFORE.search(before)
        or _PLAN_AFTER.match(text, raw.end)
    )


_DEADLINE_DAY_BEFORE = re.compile(
    rf"(?<!\w)(?:{alternation(_PUB['deadline_cues']['set_for_day'])})(?:\s+(?:là|vào|đến|ngày))*\s*$", re.IGNORECASE
)


def _is_deadline(text: str, raw: RawDate) -> bool:
    """Whether the mention is a deadline's day: "trước ngày 20/6/2017", "chậm nhất là ngày …"."""
    end = raw.start + 4 if text[raw.start : raw.start + 4].lower() == "ngày" else raw.start  # "trước [ngày 20/6]"
    return _DEADLINE_DAY_BEFORE.search(text, max(0, raw.start - 30), end) is not None


def _dated_plan(text: str, raw: RawDate) -> date | None:
    """The last day of a plan's day or month ("ngày 12/6/2017, các đại biểu sẽ biểu quyết",
    "dự kiến mở phiên tòa trong tháng 7/2017"), if the mention is one; a year or a part of
    one, a target or a deadline may lie years ahead, and is none."""
    if (
        (raw.first != raw.last and raw.granularity != "day")  # a span of days plans its first ("từ 29 đến 31-5-2017")
        or raw.first.year is None
        or raw.granularity not in ("day", "month")
        or raw.rule in ("year_part", "quarter", "term", "now_until_year_end")
        or text[raw.start : raw.start + 3].lower() in ("từ", "đến", "tới", "hết")
    ):
        return None
    if raw.granularity == "month" and _is_since(text, raw):
        return None  # "đợt phát hành đầu tiên kể từ tháng 10/2004": the first since, not a start ahead
    before = text[max(0, raw.start - PLAN_REACH - 12) : raw.start]
    if _TARGET_BEFORE.search(before) or _DEADLINE_BEFORE.search(before[-25:]) or _DOCUMENT_BEFORE.search(before):
        return None  # a target, a deadline or a document's date ("Kế hoạch … theo Quyết định số 2036 ngày …")
    clause = max(before.rfind(c) for c in _CLAUSE_STOPS) + 1  # within the sentence
    schedule = max(_SCHEDULE_WORD.finditer(before, clause), key=lambda m: m.start(), default=None)  # the last
    if schedule is not None and _PAST_WORD.search(before, schedule.end()):
        schedule = None  # "được lên kế hoạch hồi tháng 10-2016": a plan of the past
    if schedule is not None and _PAST_WORD.search(_clause_after(text, raw.end)):
        schedule = None  # "Theo kế hoạch, tối 11/1/2016, nhóm đã đưa …": the plan was carried out
    later = _SCHEDULE_AFTER.match(text, raw.end) if raw.granularity == "day" else None
    if not (
        schedule is not None
        or _PLAN_AFTER.match(text, raw.end)
        or (later is not None and not _NOT_IN_SUBJECT.search(later["gap"]))
    ):
        return None
    if raw.granularity == "month":
        return month_end(raw.first.year, raw.first.month or 12)
    return _dated(raw.first, raw.first.year)


def _clause_after(text: str, end: int, reach: int = 48) -> str:
    """The words after a mention, up to the end of its sentence, within `reach`."""
    after = text[end : end + reach]
    stop = min((i for i in (after.find(c) for c in _CLAUSE_STOPS) if i >= 0), default=len(after))
    return after[:stop]


def _counts_up_to(text: str, raw: RawDate) -> bool:
    """Whether the text counts up to the mention ("Tính đến ngày 10/7/2017"); the date rules
    may take "đến ngày" into the mention itself."""
    if _AS_OF_BEFORE.search(text, max(0, raw.start - 20), raw.start):
        return True
    return bool(_UP_TO_START.match(text, raw.start) and _TINH_BEFORE.search(text, max(0, raw.start - 8), raw.start))


def _tallies_to_year_end(text: str, raw: RawDate) -> bool:
    """Whether the mention counts up to the end of its year ("Đến cuối năm 2016, tổng vốn …",
    "tính đến hết ngày 31/12/2016"): a tally to a year's end is reported once the year is
    over. The date rules may take the tally word into the mention itself."""
    said = text[max(0, raw.start - 24) : raw.end]
    if raw.granularity == "year":
        return _TALLY_TO_YEAR_END.search(said) is not None
    return (
        raw.granularity == "day"
        and (raw.first.month, raw.first.day) == (12, 31)
        and (_TALLY_TO_DAY.search(said) is not None)
    )


def _is_compared(text: str, raw: RawDate) -> bool:
    """Whether the mention is the base of a comparison ("so với cùng kỳ năm 2016"); the
    date rules may take "cùng kỳ" into the mention itself."""
    return _SAME_PERIOD_START.match(text, raw.start) is not None or bool(
        _SAME_PERIOD_BEFORE.phrase_before(text, raw.start)
    )


def cited_as_past(text: str, raw: RawDate) -> bool:
    """Whether the mention cites a time gone by, not a plan, a forecast or a deadline, nor
    the start of what lies ahead ("Từ năm 2018, … sẽ …")."""
    return not (_is_plan(text, raw) or (raw.first == raw.last and _is_since(text, raw) and _starts_ahead(text, raw)))


def _starts_ahead(text: str, raw: RawDate) -> bool:
    """Whether what the mention starts lies ahead: a future word in its sentence after it
    ("Từ năm 2018, điểm sàn … sẽ do các trường tự xác định" is a rule to come, no year cited
    as past)."""
    stop = text.find(". ", raw.end, raw.end + PLAN_REACH + 40)
    clause = text[raw.end : stop if stop >= 0 else raw.end + PLAN_REACH + 40]
    return _FUTURE_WORD.search(clause) is not None


def _is_since(text: str, raw: RawDate) -> bool:
    """Whether the mention starts what still goes on ("từ tháng 1/2016", "kể từ năm 2010")."""
    return text[raw.start : raw.start + 3].lower() == "từ" or _SINCE_BEFORE.phrase_before(text, raw.start) is not None


def evidence(
    text: str, raws: list[RawDate], as_of: date | None = None, lowered: str | None = None, title_end: int = 0
) -> Evidence:
    """The years and days `text` reports as past or present; plans and terms are not evidence.
    `title_end` is where the title ends (the body's start)."""
    days: list[date] = []
    years: list[int] = []
    months: set[tuple[int, int]] = set()
    spans: list[tuple[date, date]] = []
    span_months: set[tuple[int, int]] = set()
    parts: list[tuple[int, int]] = []
    present: list[int] = []
    counted: list[date] = []
    titled: list[int] = []
    compared: list[int] = []
    tallied: list[int] = []  # the years the text counts up to the end of ("Đến cuối năm 2016, …")
    plans: list[tuple[date, bool]] = []  # the last day of each dated plan, and whether it names its day
    part_starts: list[date] = []  # the first day of each part of a year named with its year
    deadlines: list[date] = []  # the day of each deadline named with its year
    unplanned: set[int] = set()  # the years of the other mentions cited as past
    for raw in raws:
        if raw.last_is_reference and raw.first.year is not None:
            if raw.rule == "since_year_start_until_now":  # "Từ đầu năm 2017 đến nay": the present year
                present.append(raw.first.year)
            years.append(raw.first.year)  # "Từ năm 2015 đến nay": 2015 or later
            continue
        if not raw.explicit_year or raw.rule in _NOT_EVIDENCE_RULES:
            continue  # "Xuân Canh Tý 2020": `lunar_year` weighs a name with its year; a horizon is a plan
        if raw.rule in ("year_part", "quarter"):
            part = resolve(raw, text, None)
            if part is not None:
                part_starts.append(part.start_date)
        if raw.granularity == "day" and not raw.is_period and _counts_up_to(text, raw):
            counted_day = _dated(raw.first, raw.first.year or 1)
            # a tally to the last day of a year is reported once the year is over
            if counted_day is not None and (counted_day.month, counted_day.day) != (12, 31):
                counted.append(counted_day)
        if raw.granularity == "day" and raw.first == raw.last and _is_deadline(text, raw):
            deadline_day = _dated(raw.first, raw.first.year)
            if deadline_day is not None:
                deadlines.append(deadline_day)
        if raw.first == raw.last and _tallies_to_year_end(text, raw) and not _is_plan(text, raw, deadline=False):
            tallied.append(raw.first.year)
            continue
        plan = _dated_plan(text, raw)
        if plan is not None:
            plans.append((plan, raw.granularity == "day"))
        # a dated plan stays evidence where `_is_plan` misses it, as the rules were measured;
        # but a plan's month is at hand only beside other years than its own (`_imminent`)
        elif not _is_plan(text, raw):
            unplanned.add(raw.first.year)
        if not cited_as_past(text, raw):
            continue
        mention = resolve(raw, text, None)
        if mention is None:
            continue
        end = mention.end_date
        if raw.start < title_end:  # a headline tells the news, not its background
            titled.append(end.year)
        # a span that ended ("từ tháng 5-2015 đến tháng 2-2017") counts by its last year
        years.append(end.year if mention.is_period else mention.start_date.year)
        if raw.first == raw.last and _is_compared(text, raw):
            compared.append(end.year)  # the base of a comparison: not the present, the year before it
            continue
        if (raw.first == raw.last and _is_since(text, raw)) or _DOCUMENT_BEFORE.search(
            text, max(0, raw.start - 60), raw.start
        ):
            continue  # a lower bound only: no event of the past weeks
        if raw.rule in ("year_part", "quarter"):
            # "những tháng đầu năm 2017" read as the year still names its first months
            first_part = raw.last.month is None and _FIRST_PART.search(text, raw.start, raw.end)
            parts.append((end.year, FIRST_PART_END if first_part else end.month))
        elif mention.granularity == "day" and mention.is_period:
            spans.append((mention.start_date, end))
            days.append(mention.start_date)
        elif raw.first != raw.last:  # a span of months: its end is recent, but no month of its own
            span_months.add((end.year, end.month))
        elif mention.granularity == "day":
            days.append(mention.start_date)
            months.add((end.year, end.month))
        elif mention.granularity == "month":
            months.add((end.year, end.month))
    # a yearless day in the sentence of an event named with its year is a day of that year
    # ("Hội nghị Thượng đỉnh G20 năm 2017 diễn ra trong hai ngày 7 và 8/7")
    for raw in raws:
        if raw.explicit_year or raw.granularity != "day" or raw.first.lunar:
            continue
        year = _sentence_event_year(text, raw.start, as_of)
        first = _dated(raw.first, year) if year is not None else None
        last = _dated(raw.last, year) if year is not None else None
        if first is None or last is None or last < first:
            continue
        days.append(first)
        months.add((last.year, last.month))
        if last != first:
            spans.append((first, last))
        years.append(year)
    lowered = lowered_like(text) if lowered is None else lowered
    present += _this_year(lowered)
    present += _named_this_year(text, lowered)
    if as_of is not None:  # what is cited as past is not after the run
        years = [y for y in years if y <= as_of.year]
        days = [d for d in days if d <= as_of]
        present = [y for y in present if y <= as_of.year]
        counted = [d for d in counted if d <= as_of]
        titled = [y for y in titled if y <= as_of.year]
    days.sort()
    lower = max(years, default=None)
    # a year counted to its end is over ("Đến cuối năm 2016, tổng vốn …"): the text is of the
    # next year or later; unless it lies past what the text cites otherwise, as a forecast
    # does ("cho đến cuối năm 2018, không có cuộc bầu cử nào")
    over = [y for y in tallied if lower is not None and y <= lower]
    after_tally = max(over) + 1 if over and max(over) + 1 > lower else None  # type: ignore[operator]
    lower = after_tally or lower
    # a present year earlier than a year cited as past is a quotation, not the present
    now = max(present) if present and (lower is None or max(present) >= lower) else None
    last_count = max(counted) if counted and (lower is None or max(counted).year >= lower) else None
    title = max(titled) if titled and max(titled) == lower else None
    base = max(compared) + 1 if compared and (lower is None or max(compared) + 1 >= lower) else None
    return Evidence(
        days[-1] if days else None,
        lower,
        days,
        frozenset(months),
        frozenset(months | span_months),
        spans,
        parts,
        now,
        last_count,
        title,
        base,
        lunar_year(text, lowered, lower, as_of),
        _named_year(text, lowered, lower, as_of),
        after_tally,
        _imminent(plans, unplanned, raws),
        _coming_event(text, lowered, as_of),
        tuple(sorted(part_starts)),
        tuple(sorted(deadlines)),
    )


def _imminent(plans: list[tuple[date, bool]], cited: set[int], raws: list[RawDate]) -> tuple[date, ...]:
    """The last days of the plans that are at hand, in order. A day is announced for the
    coming weeks; a month may be a year or more ahead ("dự kiến phát điện vào tháng 6/2018"),
    so it counts only in a year the text `cited` otherwise, or when a yearless day of the
    text falls within PLAN_AHEAD_DAYS before its end ("Ngày 13/6, … trong tháng 7/2017")."""
    if not plans:
        return ()
    yearless = [r.first for r in raws if r.first.year is None and r.granularity == "day" and r.first == r.last]
    return tuple(
        sorted(
            last
            for last, by_day in plans
            if by_day or last.year in cited or any(_falls_before(p, last) for p in yearless if not p.lunar)
        )
    )


def _falls_before(point: Point, last: date) -> bool:
    """Whether the day `point`, in the year of `last`, is at most PLAN_AHEAD_DAYS before it."""
    day = _dated(point, last.year)
    return day is not None and 0 <= (last - day).days <= PLAN_AHEAD_DAYS


def _name_words(words: list[str]) -> list[str]:
    """The words that run up to a year unbroken by punctuation; an opening bracket or quote
    starts the run ("(SN 1990", "“SEA Games 2017"), and is left out."""
    run: list[str] = []
    for word in reversed(words):
        bare = word.lstrip(_OPENERS)
        if not _NAME_WORD.fullmatch(bare):
            break
        run.insert(0, bare)
        if bare != word:
            break
    return run


def _coming_event(text: str, lowered: str, as_of: date | None) -> int | None:
    """The latest year of an event the text names in the clause of words of this week or
    day ("Cuối tuần này Confederations Cup 2017 sẽ khai mạc"): the event of that year is
    at hand. A document or a model named with its year is none ([coming_event])."""
    years = []
    # from each year, not each cue: a year with a space before it is rarer than "nay" or "mai"
    for year in _SPACED_YEAR.finditer(text):
        at = year.start(1)
        start, end = max(0, at - EVENT_REACH), min(len(text), year.end() + EVENT_REACH)
        if not _SOON.search(lowered, start, end):
            continue  # most years: no cue near
        # the clause around the year: from the last stop before it to the first after
        start = max([start] + [lowered.rfind(c, start, at) + 1 for c in _CLAUSE_STOPS])
        end = min([end] + [i for i in (lowered.find(c, year.end(), end) for c in _CLAUSE_STOPS) if i >= 0])
        if not _SOON.search(lowered, start, end):
            continue
        if _names_event(text, start, at):
            years.append(int(year[1]))
    return max((y for y in years if as_of is None or y <= as_of.year), default=None)


# The year of the day's event stands near the day: its subject ("Tối 7/7, chung kết Hoa hậu
# Hàn Quốc 2017 diễn ra"), not a name cited further on in the sentence
EVENT_DAY_REACH = 60
_WORD_AFTER_YEAR = re.compile(r"\s*[-–,]?\s*(\w)")


def _event_year_between(text: str, start: int, end: int, as_of: date | None) -> int | None:
    """The first year in text[start:end] that an event's name before it carries (from
    `start` on: `_names_event`), no later than `as_of`; not a title its holder keeps
    ("Hoa hậu Hoàn vũ 2015 Phạm Hương": a capitalized name after the year)."""
    for year in _SPACED_YEAR.finditer(text, start, end):
        found = int(year[1])
        holder = _WORD_AFTER_YEAR.match(text, year.end())
        if (as_of is not None and found > as_of.year) or (holder is not None and holder[1].isupper()):
            continue
        if _names_event(text, start, year.start(1)):
            return found
    return None


def event_day_year(text: str, cue: DayCue, as_of: date | None) -> int | None:
    """The year of an event named with its year in the sentence of the text's own day, after
    it: "Tối 7/7, chung kết Hoa hậu Hàn Quốc 2017 diễn ra …" is of 2017. The event happens
    on the day the text reports; one prepared for, a document or a model is none
    (`_names_event`)."""
    if cue.at < 0:
        return None
    reach = cue.at + EVENT_DAY_REACH  # every search bounded: a text of one endless sentence stays linear
    stop = min([len(text)] + [i for i in (text.find(c, cue.at, reach + 2) for c in (". ", "\n", "? ", "! ")) if i >= 0])
    return _event_year_between(text, cue.at, min(stop, reach), as_of)


def _sentence_event_year(text: str, at: int, as_of: date | None) -> int | None:
    """The year of an event named with its year in the sentence around `at`, near it (within
    EVENT_REACH): "Sáng 1/7, tại vòng đấu loại lễ hội chọi trâu Đồ Sơn năm 2017, …"."""
    low, high = max(0, at - EVENT_REACH - 2), at + EVENT_REACH + 12  # bounded searches: linear in the text
    start = max(text.rfind(". ", low, at) + 2, text.rfind("\n", low, at) + 1, at - EVENT_REACH)
    stops = [i for i in (text.find(c, at, high) for c in (". ", "\n")) if i >= 0]
    return _event_year_between(text, start, min([len(text), at + EVENT_REACH + 10, *stops]), as_of)


def title_event_year(title: str | None) -> int | None:
    """The latest year of an event the title names ("Kỳ thi THPT quốc gia 2017: …"): the
    article is about that event, so its yearless days are read near that year. An event
    prepared for ("vòng loại U23 châu Á 2018"), a document or a model named with its year
    is none, as in `_coming_event`."""
    if not title:
        return None
    years = [int(year[1]) for year in _SPACED_YEAR.finditer(title) if _names_event(title, 0, year.start(1))]
    return max(years, default=None)


def _names_event(text: str, start: int, at: int) -> bool:
    """Whether the capitalized words of text[start:at] just before the year at `at` name
    its event: not a document or a model, nor an event prepared for, months ahead."""
    words = _name_words(text[start:at].split()[-NAME_WORDS:])
    while words and not (words[0][0].isupper() or words[0][0].isdigit()):
        words.pop(0)  # the name is the capitalized words just before the year
    if len(words) >= 2 and words[-1].lower() == "năm" and words[-2][0].isupper():
        words.pop()  # "Hội nghị Thượng đỉnh G20 năm 2017", "lễ hội chọi trâu Đồ Sơn năm 2017"
    if not words or words[-1].lower() in _NOT_BEFORE_EVENT_YEAR or _NOT_IN_EVENT_NAME.search(" ".join(words)):
        return False
    if words[-1] in _BRANCHES:  # "Tết Mậu Thân 1968" names a lunar year (`lunar_year` weighs it)
        return False
    name_start = text.rfind(words[0], start, at)
    clause_start = max(text.rfind(c, 0, name_start) for c in (", ", ". ", "; ", ": ", "\n")) + 1  # not "TP.HCM"
    # prepared for, before the name, within it ("ở vòng loại Asian Cup 2019") or in its clause
    return not (
        _PREPARED_BEFORE.search(text, max(0, name_start - 40), name_start)
        or _PREPARED_WITHIN.search(text, name_start, at)
        or _AHEAD_IN_CLAUSE.search(text, max(clause_start, name_start - PLAN_REACH), name_start)
    )


def _this_year(lowered: str) -> list[int]:
    """The years `lowered` gives as the present ("năm nay (2017)", "năm 2017 này"), and the
    year after one it gives as just past ("năm 2016 vừa qua")."""
    found = []
    for words in _PUB["this_year"]["before"]:
        at = lowered.find(words)
        while at >= 0:
            match = _YEAR_AFTER_WORDS.match(lowered, at + len(words))
            if match and (at == 0 or not lowered[at - 1].isalnum()):
                found.append(int(match[1]))
            at = lowered.find(words, at + len(words))
    for after, years_later in ((_PUB["this_year"]["after"], 0), (_PUB["last_year"]["after"], 1)):
        for words in after:
            at = lowered.find(words)
            while at >= 0:
                end = at + len(words)
                if (end == len(lowered) or not lowered[end].isalnum()) and not (
                    years_later and _NOT_LAST_YEAR_AFTER.match(lowered, end)
                ):
                    match = _YEAR_BEFORE_WORDS.search(lowered, max(0, at - 20), at)
                    if match is None and not years_later and words in _THIS_AFTER_ANY_YEAR:
                        match = _ANY_YEAR_BEFORE_WORDS.search(lowered, max(0, at - 20), at)
                    month = _MONTH_JUST_PAST.search(lowered, max(0, at - 24), at) if years_later else None
                    if month is not None and 1 <= int(month[1]) <= LATEST_MONTH_JUST_PAST:
                        found.append(int(month[2]))  # "tháng 5/2017 vừa qua": the present year
                    # "đầu năm 2017 vừa qua": the part of the year is what just passed, not the year
                    if match and not (
                        years_later and _PART_BEFORE_YEAR.search(lowered, max(0, match.start() - 16), match.start())
                    ):
                        found.append(int(match[1]) + years_later)
                at = lowered.find(words, end)
    return found


# Tết named by its solar year ("Trước Tết Nguyên đán 2017 khoảng 1 tháng")
_TET_WITH_YEAR = re.compile(r"(?<!\w)Tết(?:\s+[Nn]guyên\s+[đĐ]án)?\s+(?P<y>(?:19|20)\d\d)(?![\d/\-])")
TET_DAY = (2, 1)  # Tết falls between 21 January and 20 February: its month and day, roughly


def tet_days(text: str) -> list[date]:
    """The days of the Tết the text names with a year, not as a year gone ("hồi Tết Mậu
    Thân 1968"). No evidence of when the text was written (as a rule of its own it dated 1
    of 5 articles of the 2017 crawl right: a past Tết is compared with, "Tết 2016 rơi vào
    ngày 8/2"), but a cited day for the years of yearless dates, as any dated mention is."""
    if "Tết" not in text:
        return []
    return [
        date(int(m["y"]), *TET_DAY)
        for m in _TET_WITH_YEAR.finditer(text)
        if not _LUNAR_PAST_BEFORE.search(text, max(0, m.start() - 12), m.start())
    ]


def lunar_year(text: str, lowered: str, lower: int | None, as_of: date | None) -> int | None:
    """The year a lunar year's name gives ("Tết Bính Ngọ"): a text names the new year it
    lives in or the coming one, so the first year of that name not before `lower`, the
    latest year cited as past, and at most one after it; with no year cited, the latest of
    that name up to the year after the run (a name repeats every 60 years). Read only in a
    text that speaks of Tết or spring: a scan for every stem costs more than all the rest."""
    if not any(word in lowered for word in _LUNAR_GATE_WORDS):
        return None
    years = []
    for stem_name, stem in _STEMS.items():
        at = text.find(stem_name)
        while at >= 0:
            year = _lunar_year_at(text, at, stem, len(stem_name), lower, as_of)
            if year is not None:
                years.append(year)
            at = text.find(stem_name, at + len(stem_name))
    return max(years, default=None)  # the latest it names: an older one is a comparison


def _lunar_year_at(text: str, at: int, stem: int, size: int, lower: int | None, as_of: date | None) -> int | None:
    named = _LUNAR_BRANCH_AFTER.match(text, at + size)
    name_before = _LUNAR_NAME_BEFORE.search(text, max(0, at - 20), at) if named is not None else None
    if named is None or name_before is None:
        return None
    if _LUNAR_PAST_BEFORE.search(text, max(0, name_before.start() - 12), name_before.start()):
        return None  # "hồi Tết Mậu Thân 1968", "so với Tết Bính Thân": a year gone, not the present
    branch = _BRANCHES[named["branch"]]
    # the year in the cycle of 60 whose stem and branch these are
    offset = next((k for k in range(60) if k % 10 == stem and k % 12 == branch), None)
    if offset is None:
        return None  # no such year: a stem and a branch of unlike parity
    first = _LUNAR_YEARS["first"]
    if named["y"]:
        # the name with its year ("Xuân Đinh Dậu 2017"): that year, if the two agree and it
        # is not older than the latest year the text cites as past
        year = int(named["y"])
        agrees = (year - first - offset) % 60 == 0
        # and only beside other years the text cites: alone, "trận đánh Tết Mậu Thân 1968"
        # may be told in any later year
        fits = lower is not None and year >= lower and (as_of is None or year <= as_of.year + 1)
        return year if agrees and fits else None
    if lower is not None:
        year = lower + (first + offset - lower) % 60
        return year if year <= lower + 1 and (as_of is None or year <= as_of.year + 1) else None
    return as_of.year + 1 - (as_of.year + 1 - first - offset) % 60 if as_of is not None else None


def _named_year(text: str, lowered: str, lower: int | None, as_of: date | None) -> int | None:
    """The latest year the text names for a theme ("trong khuôn khổ năm APEC 2017"): a year
    is given such a name while it runs. Only capitalized words stand between "năm" and
    the year, so "năm học 2015" is none."""
    years = []
    at = lowered.find("năm ")
    while at >= 0:
        match = _THEMED_YEAR.match(text, at) if at == 0 or not lowered[at - 1].isalnum() else None
        if match:
            years.append(int(match["y"]))
        at = lowered.find("năm ", at + 4)
    year = max((y for y in years if as_of is None or y <= as_of.year), default=None)
    return year if year is not None and (lower is None or year >= lower) else None


def _named_this_year(text: str, lowered: str) -> list[int]:
    """The years of the names the text also gives as this year's: "Confed Cup năm nay" and
    "Confed Cup 2017" make 2017 the present."""
    names = set()
    at = lowered.find("năm nay")
    while at >= 0:
        match = _NAME_THIS_YEAR.search(text, max(0, at - 40), at + 7)
        words = match[1].split() if match else []
        while words and not (words[0][0].isupper() or any(c.isdigit() for c in words[0])):
            words.pop(0)  # "tại Confeds Cup năm nay": the name is what is capitalized
        if words:
            names.add(" ".join(words))
        at = lowered.find("năm nay", at + 7)
    if not names:
        return []
    named = re.compile(rf"(?<!\w)(?:{alternation(names)})\s+(?:năm\s+)?(?P<y>(?:19|20)\d\d)(?![\d/\-])")
    return [int(m["y"]) for m in named.finditer(text)]


def _near_any(text: str, raws: list[RawDate], found: Evidence) -> int | None:
    """The year in which a yearless day of the text falls a few weeks after a full day, or in
    or just after a month, that it cites ("tháng 6-2017, ngày 3-7")."""
    if not found.days and not found.months:
        return None
    years = [
        _near_year(r.first, found.days) or _month_year(r.first, found.months, days=found.days)
        for r in raws
        if r.first.year is None and r.granularity == "day" and not r.first.lunar and r.first == r.last
    ]
    return max((y for y in years if y is not None), default=None)


def _dated(point: Point, year: int, days_after: int = 0) -> date | None:
    try:
        return date(year, point.month or 1, point.day or 1) + timedelta(days=days_after)
    except ValueError:
        return None


def weekday_year(text: str, lowered: str, lower: int | None, as_of: date | None) -> int | None:
    """The year a weekday beside a day and month implies ("thứ Hai (15/5)", "15/5 (thứ
    Hai)"): the first year from `lower` (the latest year cited as past) in which that day
    is that weekday, if it is at most WEEKDAY_SLACK years after `lower`; a weekday repeats
    every 5, 6 or 11 years, so a text that cites only older years, or none, leaves several
    years open: no year. The day itself is not after `as_of`, the day of the run."""
    for word in _WEEKDAY_STARTS:
        at = lowered.find(word)
        while at >= 0:
            year = _weekday_at(text, at, lower, as_of)
            if year is not None:
                return year
            at = lowered.find(word, at + len(word))
    return None


def _weekday_at(text: str, at: int, lower: int | None, as_of: date | None) -> int | None:
    """The year the weekday named at `at` gives the day and month beside it, if any."""
    named = _WEEKDAY_WORD.match(text, at)
    if named is None or (at > 0 and text[at - 1].isalnum()) or _ORDINAL_BEFORE.phrase_before(text, at):
        return None  # "lần thứ ba, ngày 8/5": an ordinal
    weekday = _WEEKDAYS.get(" ".join(named[0].lower().split()))
    beside = _WEEKDAY_BEFORE_DAY.match(text, at) or _DAY_BEFORE_WEEKDAY.search(text, max(0, at - 16), at)
    if weekday is None or beside is None:
        return None
    point = _point(beside)
    if point.year is not None:  # the text gives the year: the weekday confirms it
        dated = _dated(point, point.year)
        fits = dated is not None and dated.weekday() == weekday and (as_of is None or dated <= as_of)
        return point.year if fits else None
    if lower is None:
        return None
    for year in range(lower, lower + WEEKDAY_SLACK + 1):
        dated = _dated(point, year)
        if dated is not None and dated.weekday() == weekday and (as_of is None or dated <= as_of):
            return year
    return None


def _near_year(point: Point, days: list[date]) -> int | None:
    """The year in which the day `point` falls a few weeks after a full day the text cites."""
    for year in sorted({d.year for d in days} | {d.year + 1 for d in days}):
        candidate = _dated(point, year)
        if candidate is None:
            continue
        index = bisect.bisect_right(days, candidate) - 1  # the latest cited day not after it
        if index >= 0 and (candidate - days[index]).days <= NEAR_DAYS:
            return year
    return None


def _span_year(point: Point, spans: list[tuple[date, date]]) -> int | None:
    """The year of a cited span of days that holds the day `point`."""
    for first, last in spans:
        for year in range(first.year, last.year + 1):
            candidate = _dated(point, year)
            if candidate is not None and first <= candidate <= last:
                return year
    return None


def _month_year(
    point: Point, months: frozenset[tuple[int, int]], back: int = 1, days: list[date] | None = None
) -> int | None:
    """The year in which the month of `point` is a month the text cites or up to `back`
    months after one ("tháng 4/2017 … Ngày 12/5, …"). A month cited only by `days` after
    the point's own day is no past of it ("sáng nay (19/6) … đến ngày 30/6/2018")."""
    month = point.month or 1
    for year in sorted({y for y, _ in months} | {y + 1 for y, _ in months}, reverse=True):
        index = 12 * year + month - 1
        for k in range(back + 1):
            y, m0 = divmod(index - k, 12)
            if (y, m0 + 1) in months and not (k == 0 and days and _only_later(point, y, days)):
                return year
    return None


def _only_later(point: Point, year: int, days: list[date]) -> bool:
    """Whether the cited days of the point's month in `year` are all after its day."""
    own = _dated(point, year)
    same = [d for d in days if (d.year, d.month) == (year, point.month)]
    return own is not None and point.day is not None and bool(same) and all(d > own for d in same)


def _year_near(point: Point, anchors: tuple[date, ...], least: int, most: int) -> int | None:
    """The year in which the day `point` falls `least` to `most` days before one of the
    `anchors` (negative: after it), trying the anchor's year, then the one before and after
    (a plan early in January may follow a day of December). The rules it serves:
    `dated_plan`, a day or month the text plans within PLAN_AHEAD_DAYS after the own day;
    `coming_part`, a part of a year beginning within PART_AHEAD_DAYS after it ("Chiều 21/6,
    … trọng tâm công tác sáu tháng cuối năm 2017": a review comes in the last weeks before
    it); `deadline_day`, a deadline's day within DEADLINE_NEAR_DAYS either side of it."""
    for anchor in anchors:
        for year in (anchor.year, anchor.year - 1, anchor.year + 1):
            candidate = _dated(point, year)
            if candidate is not None and least <= (anchor - candidate).days <= most:
                return year
    return None


def _part_year(point: Point | None, parts: list[tuple[int, int]]) -> int | None:
    """The year of a cited part of a year that ends in the month of `point` or the one before
    ("6 tháng đầu năm 2017" in an article of 28/6). Without a day, a part that ends before
    December: a report on a whole year or its last quarter ("quý IV/2016") comes out the
    next year, one on its first half in the months that follow within it."""
    for year, last_month in sorted(parts, reverse=True):
        if (point is None and last_month < 12) or (
            point is not None and last_month in (point.month, (point.month or 1) - 1)
        ):
            return year
    return None


def _stated_years(found: Evidence, weekday: int | None) -> list[tuple[int | None, str]]:
    """The years the text states as the present in other ways than its own day: a weekday
    beside a day and month, a lunar or a named year, a tally "tính đến", this year's cues,
    a comparison with last year. Strongest first, with their rule."""
    return [
        (weekday, "weekday"),
        (found.lunar, "lunar_year"),
        (found.named, "named_year"),
        (found.coming, "coming_event"),
        (found.as_of.year if found.as_of else None, "as_of"),
        (found.present, "this_year"),
        (found.compared, "same_period"),
        (found.over, "year_over"),
    ]


def _cue_years(
    cue: DayCue, found: Evidence, weekday: int | None, event: int | None = None
) -> list[tuple[int | None, str]]:
    """The years the evidence gives the text's own day, strongest first, with their rule."""
    point = cue.point
    return [
        (point.year, "cue_year"),
        (event, "event_day"),
        *_stated_years(found, weekday),
        (_span_year(point, found.spans), "span"),
        (_near_year(point, found.days), "near_day"),
        (_month_year(point, found.recent, days=found.days), "near_month"),
        (_month_year(point, found.recent, RECENT_MONTHS, found.days), "recent_month"),
        (_part_year(point, found.parts), "near_part"),
        (_year_near(point, found.plans, 0, PLAN_AHEAD_DAYS), "dated_plan"),
        (_year_near(point, found.part_starts, 1, PART_AHEAD_DAYS), "coming_part"),
        (_year_near(point, found.deadlines, -DEADLINE_NEAR_DAYS, DEADLINE_NEAR_DAYS), "deadline_day"),
    ]


def _latest_month(year: int, found: Evidence, text: str, raws: list[RawDate]) -> date | None:
    """The latest month of `year` the text cites, its yearless days and months read in it."""
    reference = date(year, 7, 1)
    latest = max((date(y, m, 1) for y, m in found.months if y == year), default=None)
    for raw in raws:
        if raw.explicit_year or raw.granularity == "year" or raw.first.lunar:
            continue
        mention = resolve(raw, text, reference)
        if mention is not None and mention.end_date.year == year and not mention.is_period:
            month = date(year, mention.end_date.month, 1)
            latest = month if latest is None or month > latest else latest
    return latest


def published_with_evidence(
    header: date | None,
    header_precision: Precision,
    text: str,
    body_start: int,
    raws: list[RawDate],
    as_of: date | None = None,
    lowered: str | None = None,
    window: tuple[date, date] | None = None,
) -> Published:
    """The publication date, its precision and the rule that fixed it. `as_of` (the day of
    the run) bounds what the text can imply: an article is not published after it is read.
    `lowered` is `lowered_like(text)` when the caller has it already.

    `window` is the source's publication window, declared or inferred: a date the text
    implies outside it is passed over for the next rule, and the rules too weak to date an
    article alone (`[source_window] checked_rules`) are tried, since the window checks them.
    """
    lowered = lowered_like(text) if lowered is None else lowered
    if window is None:
        return _published_with_evidence(header, header_precision, text, body_start, raws, as_of, lowered)
    as_of = window[1] if as_of is None else min(as_of, window[1])
    found = _published_with_evidence(header, header_precision, text, body_start, raws, as_of, lowered, window)
    return within_window(found, window)


def _published_with_evidence(
    header: date | None,
    header_precision: Precision,
    text: str,
    body_start: int,
    raws: list[RawDate],
    as_of: date | None,
    lowered: str,
    window: tuple[date, date] | None = None,
) -> Published:
    """`published_with_evidence` before the window's last word (`within_window`)."""
    rules = RULES if window is None else RULES | WINDOW_CHECKED_RULES

    def outside(day: date, precision: Precision) -> bool:
        return window is not None and _outside(day, precision, window)

    if header is not None and header_precision == "day":
        return Published(header, "day", "header")
    stamp = byline_stamp(text, body_start) if header is None and "byline" in rules else None
    if stamp is not None and (as_of is None or stamp <= as_of) and not outside(stamp, "day"):
        return Published(stamp, "day", "byline")
    if as_of is not None:  # plans and forecasts ("năm 2050") are not evidence of when it was written
        raws = [r for r in raws if r.first.year is None or r.first.year <= as_of.year]
    cue = day_cue(text, body_start, raws, lowered)
    if header is not None:
        # "Sáng nay (20/1)" in a 2021-01 document dates it to the day
        if cue is not None and (header_precision == "year" or cue.point.month == header.month):
            dated = _dated(cue.point, cue.point.year or header.year, cue.days_after)
            if dated is not None and dated.year == header.year:
                return Published(dated, "day", "header_cue")
        return Published(header, header_precision, "header")
    found = evidence(text, raws, as_of, lowered, body_start)
    weekday = weekday_year(text, lowered, found.lower, as_of)
    if cue is not None:
        event = event_day_year(text, cue, as_of) if "event_day" in rules else None
        for year, rule in _cue_years(cue, found, weekday, event):
            if year is None or rule not in rules or (found.lower is not None and year < found.lower):
                continue
            dated = _dated(cue.point, year, cue.days_after)
            # a day earlier than a full day the text cites as past is an event, not the writing
            if dated is None or (found.floor is not None and dated < found.floor):
                continue
            if (as_of is not None and dated > as_of) or outside(dated, "day"):
                continue
            return Published(dated, "day", rule)
    # no day of its own that the evidence dates: the year, and the latest month cited in it
    for year, rule in (
        *_stated_years(found, weekday),
        (_part_year(None, found.parts), "part"),
        (found.title, "title_year"),
        (_near_any(text, raws, found), "near_any"),
        (found.plans[0].year if found.plans else None, "dated_plan"),
        (found.floor.year if found.floor else None, "latest_day"),
        (max((y for y, _ in found.months), default=None), "latest_month"),
        (found.lower, "latest"),
        (_window_year(text, window), "window_year"),
    ):
        if year is None or rule not in rules or (found.lower is not None and year < found.lower):
            continue
        if outside(date(year, 1, 1), "year"):
            continue
        if rule == "as_of" and found.as_of is not None:
            return Published(date(year, found.as_of.month, 1), "month", rule)
        month = _latest_month(year, found, text, raws)
        if rule == "dated_plan":  # at latest the month of the first plan
            bound = found.plans[0].replace(day=1)
            month = month if month is not None and month <= bound else bound
        if month is not None and (as_of is None or month <= as_of) and not outside(month, "month"):
            return Published(month, "month", rule)
        return Published(date(year, 1, 1), "year", rule)
    return Published(None, "none", "none")


_YEAR_TOKEN = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d]|[.,]\d)")


def _window_year(text: str, window: tuple[date, date] | None) -> int | None:
    """The latest year of a window that lies within one or two years that the text names in
    any way: a date, a plan, an event's name ("SEA Games 2017"), a timestamp. Alone it says
    only that the article is not older than that year; the window says it is not newer."""
    if window is None or window[1].year - window[0].year > 1:
        return None
    years = {int(m[1]) for m in _YEAR_TOKEN.finditer(text)}
    return max((y for y in years if window[0].year <= y <= window[1].year), default=None)


def published_date(
    header: date | None,
    header_precision: Precision,
    text: str,
    body_start: int,
    raws: list[RawDate],
    as_of: date | None = None,
    lowered: str | None = None,
) -> tuple[date | None, Precision]:
    """The publication date and its precision (`published_with_evidence` without the rule)."""
    published = published_with_evidence(header, header_precision, text, body_start, raws, as_of, lowered)
    return published.day, published.precision


def _span_of(day: date, precision: Precision) -> tuple[date, date]:
    """The days a publication date of that precision stands for."""
    if precision == "month":
        return day, month_end(day.year, day.month)
    if precision == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


def _outside(day: date, precision: Precision, window: tuple[date, date]) -> bool:
    """Whether the days a date of that precision stands for all lie outside the window."""
    first, last = _span_of(day, precision)
    return last < window[0] or first > window[1]


def within_window(found: Published, window: tuple[date, date]) -> Published:
    """The publication date a source's window allows. A header's date outside it is no date
    (two statements disagree); a date the text implies outside it gives way to the window,
    as does no date: the window's month or year when it lies within one (the first day
    stands for it, as for any date of that precision), with the evidence `window`."""
    first, last = window
    if found.day is not None:
        if not _outside(found.day, found.precision, window):
            return found
        if found.evidence == "header":
            return Published(None, "none", "none")
    if (first.year, first.month) == (last.year, last.month):
        return Published(date(first.year, first.month, 1), "month", "window")
    if first.year == last.year:
        return Published(date(first.year, 1, 1), "year", "window")
    return Published(None, "none", "none")


def source_window(found: Iterable[Published]) -> tuple[date, date] | None:
    """The window a source's documents were published in, inferred from their own evidence:
    the shortest span, in whole months, that holds `coverage` of the documents the strong
    rules date (lexicon `[source_window]`), if there are enough of them and it is short.
    None when the evidence is thin or spread over years: then each document stands alone."""
    spans = sorted(_span_of(p.day, p.precision) for p in found if p.day is not None and p.evidence in WINDOW_RULES)
    if len(spans) < _WINDOW["min_documents"]:
        return None
    held = math.ceil(_WINDOW["coverage"] * len(spans))
    # the `held` consecutive documents (by midpoint) whose spans cover the fewest days
    spans.sort(key=lambda s: s[0] + (s[1] - s[0]) / 2)
    best: tuple[date, date] | None = None
    for i in range(len(spans) - held + 1):
        group = spans[i : i + held]
        first, last = min(s[0] for s in group), max(s[1] for s in group)
        if best is None or (last - first) < (best[1] - best[0]):
            best = first, last
    assert best is not None
    first, last = best[0].replace(day=1), month_end(best[1].year, best[1].month)
    return (first, last) if (last - first).days <= _WINDOW["longest_days"] else None


def reference_date(published: date | None, precision: Precision) -> date | None:
    """The date missing years are inferred from: mid-period when only month or year is known."""
    if published is None:
        return None
    if precision == "month":
        return date(published.year, published.month, 15)
    if precision == "year":
        return date(published.year, 7, 1)
    return published
