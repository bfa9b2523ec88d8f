"""Dates in Vietnamese text: days, months, years, quarters, spans, terms, lunar dates.

Two steps, because the year of "ngày 12/1" depends on the publication date, and the
publication date of an article without a header depends on the dates in its text:

1. `find_raw_dates(text)` finds every mention with the parts the text gives
   (a year may be missing): `RawDate` records, each made by a named rule.
2. `resolve(raw, reference)` fills missing years from the reference date (the year
   that puts the date nearest to it) and converts lunar dates to the solar calendar.

Vocabulary lives in `lexicon/dates.toml`; each rule below is a named pattern and a
builder, in the manner of Duckling's rules.
"""

from __future__ import annotations

import calendar
import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from extract.anchors import find_anchors
from extract.lexicon import PhraseSet, alternation, load, lowered_like
from extract.lunar import lunar_to_solar
from extract.records import DateMention, Granularity

_LEX = load("dates")
_DAY_CUES = alternation([*_LEX["day_cues"]["words"], *(w.capitalize() for w in _LEX["day_cues"]["words"])])
_QUARTERS: dict[str, int] = _LEX["quarters"]
_YEAR_PARTS: dict[str, list[int]] = _LEX["year_parts"]
_SOFT = alternation(_LEX["soft_prefixes"]["words"])
_INFIX = alternation(_LEX["year_infixes"]["words"])
_LUNAR_MONTHS: dict[str, int] = _LEX["lunar_months"]
_LUNAR = _LEX["lunar_markers"]
_PERIOD_CUES = _LEX["period_cues"]["words"]
_UNTIL_NOW = alternation(_LEX["until_now"]["words"])

MIN_YEAR, MAX_YEAR = 1900, 2100

# building blocks
_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_Y = r"(?:1[89]\d\d|20\d\d|2100)"
_B = r"(?<![\w/.,\-])"  # not glued to a word, number, or another date part
_E = r"(?![\w]|[/\-.]\d)"  # not followed by more of a number or code
_TO = r"\s*(?:đến|tới|-|–|—)\s*"
# Where runs of spaces meet with only optional marks between them ("\s*\(?\s*") they
# are possessive ("\s*+"): what follows is no space, so giving spaces back never helps,
# and trying every split of a long run of spaces among them is quadratic.


def _i(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


DIGIT = "0"  # in a rule's `starts`: the match may begin with a digit


def _words(*phrases: str) -> frozenset[str]:
    """The first words of `phrases`, lower-cased (a leading digit stands for any digit)."""
    firsts = {phrase.split()[0].lower() for phrase in phrases}
    return frozenset(DIGIT if word[0].isdigit() else word for word in firsts)


class Point(NamedTuple):
    """One end of a date as the text gives it; None where the text is silent."""

    year: int | None
    month: int | None = None
    day: int | None = None
    lunar: bool = False


class RawDate(NamedTuple):
    start: int
    end: int
    first: Point
    last: Point
    granularity: Granularity
    rule: str
    first_is_reference: bool = False  # "từ nay đến …"
    last_is_reference: bool = False  # "… đến nay"
    is_period: bool = False

    @property
    def explicit_year(self) -> bool:
        return self.first.year is not None and self.last.year is not None


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str]], tuple[Point, Point, Granularity] | None]
    # the lower-case words a match can begin with (DIGIT: a digit; "(": just inside one)
    starts: frozenset[str]
    period: bool = False  # the span is a period by its own words ("6 tháng đầu năm")


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _year(match: re.Match[str], group: str = "y") -> int | None:
    return _int(match.groupdict().get(group))


# --- builders --------------------------------------------------------------------


def _day(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    point = Point(_year(m), int(m["m"]), int(m["d"]))
    return point, point, "day"


def _day_words(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    return _day(m)


def _day_range(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    last = Point(_year(m, "y2"), int(m["m2"]), int(m["d2"]))
    # "ngày 6 và 7/2": the first day borrows the month (and year) of the second
    month1 = _int(m.groupdict().get("m1")) or last.month
    first = Point(_year(m, "y1") or last.year, month1, int(m["d1"]))
    return first, last, "day"


def _month(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    point = Point(_year(m), int(m["m"]))
    return point, point, "month"


def _month_range(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    last = Point(_year(m, "y2"), int(m["m2"]))
    first = Point(_year(m, "y1") or last.year, int(m["m1"]))
    return first, last, "month"


def _year_only(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    point = Point(int(m["y"]))
    return point, point, "year"


def _year_range(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    first, last = int(m["y1"]), int(m["y2"])
    if not first < last <= first + 30:
        return None
    return Point(first), Point(last), "year"


def _quarter(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    quarter = _QUARTERS[m["q"].upper()]
    year = _year(m)
    return Point(year, 3 * quarter - 2), Point(year, 3 * quarter), "month"


def _year_part(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    first_month, last_month = _YEAR_PARTS[" ".join(m["part"].lower().split())]
    year = _year(m)
    return Point(year, first_month), Point(year, last_month), "month"


def _since_year_start(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    year = _year(m)
    return Point(year, 1, 1), Point(year, 12, 31), "day"


def _until_year_end(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    year = _year(m)
    return Point(year, 1, 1), Point(year, 12, 31), "day"


def _lunar_new_year_day(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    point = Point(_year(m), 1, int(m["d"]), lunar=True)
    return point, point, "day"


def _lunar_day(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    month_word = m["m"].lower()
    month = _LUNAR_MONTHS.get(month_word) or int(month_word)
    point = Point(_year(m), month, int(m["d"]), lunar=True)
    return point, point, "day"


# --- rules -------------------------------------------------------------------------

_DM = rf"(?P<d>{_D})\s*[/\-]\s*(?P<m>{_M})(?:\s*[/\-]\s*(?P<y>{_Y}))?"
_DM_DOT = rf"(?P<d>{_D})\.(?P<m>{_M})(?:\.(?P<y>{_Y}))?"
_YEAR_PART = alternation(_YEAR_PARTS)
_TET = alternation(_LUNAR["tet"])
_LUNAR_SUFFIX = alternation(_LUNAR["suffix"])
_LUNAR_DAY = alternation(_LUNAR["day_words"])
_LUNAR_MONTH = alternation(_LUNAR_MONTHS)
_MONTH_YEAR = rf"(?:\s*[/\-]\s*(?P<y>{_Y})|\s+năm\s+(?P<y_>{_Y}))?"

RULES: list[_Rule] = [
    _Rule(
        "since_year_start_until_now",
        _i(rf"{_B}từ\s+đầu\s+năm(?:\s+(?P<y>{_Y}))?\s+(?:{_UNTIL_NOW})"),
        _since_year_start,
        _words("từ"),
        period=True,
    ),
    _Rule(
        "now_until_year_end",
        _i(rf"{_B}từ\s+(?:nay|bây giờ)\s+(?:đến|tới)\s+(?:hết\s+|cuối\s+)?năm(?:\s+(?P<y>{_Y}))?"),
        _until_year_end,
        _words("từ"),
        period=True,
    ),
    _Rule(
        "day_range_full",
        _i(
            rf"{_B}(?:từ\s+)?(?:ngày\s+)?(?P<d1>{_D})\s*[/\-]\s*(?P<m1>{_M})(?:\s*[/\-]\s*(?P<y1>{_Y}))?"
            rf"{_TO}(?:hết\s+)?(?:ngày\s*)?(?P<d2>{_D})\s*[/\-]\s*(?P<m2>{_M})(?:\s*[/\-]\s*(?P<y2>{_Y}))?{_E}"
        ),
        _day_range,
        _words("từ", "ngày", DIGIT),
        period=True,
    ),
    _Rule(
        "day_range_short",
        _i(
            rf"{_B}(?:từ\s+)?ngày\s+(?P<d1>{_D})\s*(?:đến|tới|và|-|–|,)\s*(?:hết\s+)?(?:ngày\s*)?"
            rf"(?P<d2>{_D})\s*[/\-]\s*(?P<m2>{_M})(?:\s*[/\-]\s*(?P<y2>{_Y}))?{_E}"
        ),
        _day_range,
        _words("từ", "ngày"),
        period=True,
    ),
    _Rule(
        "month_range",
        _i(
            rf"{_B}(?:từ\s+)?tháng\s+(?P<m1>{_M})(?:\s*[/\-]\s*(?P<y1>{_Y})|\s+năm\s+(?P<y1_>{_Y}))?"
            rf"{_TO}(?:hết\s+)?tháng\s+(?P<m2>{_M})(?:\s*[/\-]\s*(?P<y2>{_Y})|\s+năm\s+(?P<y2_>{_Y}))?{_E}"
        ),
        _month_range,
        _words("từ", "tháng"),
        period=True,
    ),
    _Rule(
        "year_range",
        _i(rf"{_B}(?:từ\s+)?năm\s+(?P<y1>{_Y}){_TO}(?:năm\s+)?(?P<y2>{_Y}){_E}"),
        _year_range,
        _words("từ", "năm"),
        period=True,
    ),
    _Rule("term", _i(rf"{_B}(?P<y1>{_Y})\s*[-–—]\s*(?P<y2>{_Y}){_E}"), _year_range, _words(DIGIT)),
    _Rule(
        "year_part",
        _i(rf"{_B}(?P<part>{_YEAR_PART})(?:\s+(?P<y>{_Y}))?{_E}"),
        _year_part,
        _words(*_YEAR_PARTS),
        period=True,
    ),
    _Rule(
        "quarter",
        _i(rf"{_B}quý\s+(?P<q>IV|I{{1,3}}|[1-4])(?:\s*[/\-]\s*|\s+năm\s+)?(?P<y>{_Y})?{_E}"),
        _quarter,
        _words("quý"),
    ),
    _Rule(
        "lunar_new_year_day",
        _i(rf"{_B}(?:{_LUNAR_DAY})\s+(?P<d>{_D})\s+(?:tháng\s+giêng|(?:{_TET}))(?:\s+(?:năm\s+)?(?P<y>{_Y}))?{_E}"),
        _lunar_new_year_day,
        _words(*_LUNAR["day_words"]),
    ),
    _Rule(
        "lunar_day_month",
        _i(
            rf"{_B}(?:(?:{_LUNAR_DAY})\s+)?(?P<d>{_D})(?:\s*+/|\s++tháng\s++)(?P<m>{_LUNAR_MONTH}|{_M})"
            rf"(?:\s*/\s*(?P<y>{_Y}))?\s+(?:{_LUNAR_SUFFIX})"
        ),
        _lunar_day,
        _words(*_LUNAR["day_words"], DIGIT),
    ),
    _Rule(
        "lunar_first_month_day",
        _i(rf"{_B}(?:{_LUNAR_DAY})\s+(?P<d>{_D})\s+tháng\s+(?P<m>{_LUNAR_MONTH}){_E}"),
        _lunar_day,
        _words(*_LUNAR["day_words"]),
    ),
    _Rule(
        "day_words",
        _i(rf"{_B}ngày\s+(?P<d>{_D})\s+tháng\s+(?P<m>{_M})(?:\s+năm\s+(?P<y>{_Y}))?{_E}"),
        _day_words,
        _words("ngày"),
    ),
    _Rule(
        "day_cued",
        _i(rf"{_B}(?:{_DAY_CUES})\s*+(?P<open>\()?\s*+{_DM}(?(open)\s*\)){_E}"),
        _day,
        _words(*_LEX["day_cues"]["words"]),
    ),
    _Rule("day_cued_dot", _i(rf"{_B}(?:{_DAY_CUES})\s+{_DM_DOT}{_E}"), _day, _words(*_LEX["day_cues"]["words"])),
    _Rule("day_in_brackets", _i(rf"(?<=\()\s*{_DM}\s*(?=\))"), _day, frozenset({"("})),
    _Rule(
        "day_slash",
        _i(rf"{_B}(?P<d>{_D})/(?P<m>{_M})(?:/(?P<y>{_Y}))?{_E}"),
        _day,
        _words(DIGIT),
    ),
    _Rule(
        "day_dash_year",
        _i(rf"{_B}(?P<d>{_D})-(?P<m>{_M})-(?P<y>{_Y}){_E}"),
        _day,
        _words(DIGIT),
    ),
    _Rule(
        "month",
        _i(rf"{_B}(?:(?:{_SOFT})\s+)?tháng\s+(?P<m>{_M}){_MONTH_YEAR}{_E}"),
        _month,
        _words(*_LEX["soft_prefixes"]["words"], "tháng"),
    ),
    _Rule(
        "year",
        _i(rf"{_B}(?:(?:{_SOFT})\s+)?năm(?:\s+(?:{_INFIX}))?\s+(?P<y>{_Y}){_E}"),
        _year_only,
        _words(*_LEX["soft_prefixes"]["words"], "năm"),
    ),
]

_FRACTION_BEFORE = _i(rf"(?:{alternation(_LEX['fraction_cues']['words'])})\s+(?:\d+/\d+\s*(?:đến|tới|-|–)\s*)?$")
_IDENTIFIER_BEFORE = PhraseSet(_LEX["identifier_cues"]["words"])
_BIRTH_BEFORE = PhraseSet(_LEX["birth_cues"]["words"], gap=r"\s*[:.]?\s*")
_PERIOD_BEFORE = PhraseSet(_PERIOD_CUES, gap=r"\s+")
_CLOCK_BEFORE = _i(r"\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2}\s*(?:phút)?)?\s*$")
_SAME_PERIOD = _i(r"^cùng kỳ\b")
_DAY_RULES = {"day_slash", "day_cued", "day_cued_dot", "day_in_brackets", "day_dash_year", "day_words"}
_FRACTION_RULES = _DAY_RULES | {"day_range_full"}  # rules a fraction or identifier cue voids


def _points(rule: _Rule, match: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    built = rule.build(match)
    if built is None:
        return None
    first, last, granularity = built
    groups = match.groupdict()
    # "tháng 5 năm 2015" spells the year with "năm": the alternative groups end in "_"
    for name, point_name in (("y_", "both"), ("y1_", "first"), ("y2_", "last")):
        value = groups.get(name)
        if value:
            year = int(value)
            if point_name in ("both", "first"):
                first = first._replace(year=year)
            if point_name in ("both", "last"):
                last = last._replace(year=year)
    if groups.get("y2_") and first.year is None:
        first = first._replace(year=last.year)
    return first, last, granularity


def _valid_day(point: Point) -> bool:
    if point.day is None or point.month is None or point.lunar:
        return True
    year = point.year or 2000  # a leap year, so 29/2 passes without a year
    return point.day <= calendar.monthrange(year, point.month)[1]


# Where a match can begin: every rule names its first words, and each rule is tried only
# where `extract.anchors` found one of them (trying twenty rules at every position was
# most of the extractor's time). A digit run starts a date only when it goes on as
# every rule starting with one does ("12/3", "2015-2020", "6 tháng đầu năm").
_STARTS: dict[str, list[int]] = {}
for _index, _rule in enumerate(RULES):
    for _word in _rule.starts:
        _STARTS.setdefault(_word, []).append(_index)
START_WORDS = frozenset(set(_STARTS) - {DIGIT, "("})  # for `extract.anchors`
# (index, bound `match`) of the rules for each start: the loop below runs 100 times a document
_TRIES = {word: [(index, RULES[index].pattern.match) for index in indexes] for word, indexes in _STARTS.items()}
_AFTER_DIGITS = re.compile(r"\s*[/\-–—]|\s+tháng")
_BRACKET = re.compile(r"\((?=\s*[0-9])")  # "(20/1)": a rule starts just inside


def _rule_matches(text: str, lowered: str) -> Iterator[tuple[int, re.Match[str]]]:
    """(rule index, match) for every rule, each rule's matches without overlaps, as
    `finditer` would find them."""
    last_end = [-1] * len(RULES)
    anchors = find_anchors(lowered)
    triggers = [(start, word) for start, word in anchors.words if word in START_WORDS]
    triggers += [(start, DIGIT) for start, end in anchors.digits if _AFTER_DIGITS.match(lowered, end)]
    triggers += [(match.end(), "(") for match in _BRACKET.finditer(lowered)]
    triggers.sort()
    for pos, key in triggers:
        for index, match_at in _TRIES[key]:
            if pos < last_end[index]:
                continue
            match = match_at(text, pos)
            if match:
                last_end[index] = match.end()
                yield index, match


def find_raw_dates(text: str, lowered: str | None = None) -> list[RawDate]:
    """Every date mention in `text`, without overlaps (longer and earlier rule wins).
    `lowered` is `lowered_like(text)` when the caller has it already."""
    candidates: list[tuple[int, int, int, RawDate]] = []
    for priority, match in _rule_matches(text, lowered_like(text) if lowered is None else lowered):
        rule = RULES[priority]
        start, end = match.span()
        # trim spaces a pattern took at its edges
        while end > start and text[end - 1].isspace():
            end -= 1
        before = text[max(0, start - 30) : start]
        if _BIRTH_BEFORE.phrase_before(text, start):
            continue
        if rule.name == "day_cued" and _CLOCK_BEFORE.search(before):
            # "2h sáng ngày 12/6": "2h sáng" is the time; the date starts at "ngày"
            day_word = re.search(r"(?<!\w)ngày\s", text[start:end], re.IGNORECASE)
            if day_word:
                start += day_word.start()
        if rule.name in _FRACTION_RULES and (
            _FRACTION_BEFORE.search(before) or _IDENTIFIER_BEFORE.phrase_before(text, start)
        ):
            continue
        points = _points(rule, match)
        if points is None:
            continue
        first, last, granularity = points
        if not (_valid_day(first) and _valid_day(last)):
            continue
        is_period = rule.period or bool(_PERIOD_BEFORE.phrase_before(text, start))
        raw = RawDate(
            start=start,
            end=end,
            first=first,
            last=last,
            granularity=granularity,
            rule=rule.name,
            first_is_reference=rule.name == "now_until_year_end",
            last_is_reference=rule.name == "since_year_start_until_now",
            is_period=is_period,
        )
        candidates.append((end - start, start, priority, raw))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))  # longest first
    # One byte per character marks what is taken: checking a candidate costs its own
    # length, and each rule's matches do not overlap, so the whole pass is linear in the
    # text (comparing each candidate with every date taken was quadratic in the dates).
    taken = bytearray(len(text))
    chosen: list[RawDate] = []
    for length, start, _, raw in candidates:
        if taken.find(1, start, start + length) >= 0:
            continue
        chosen.append(raw)
        taken[start : start + length] = b"\x01" * length
    return sorted(chosen, key=lambda r: r.start)


# --- resolution ----------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _point_dates(point: Point, year: int) -> tuple[date, date]:
    """First and last solar day covered by `point` in `year`."""
    if point.lunar:
        solar = lunar_to_solar(point.day or 1, point.month or 1, year)
        return solar, solar
    if point.month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if point.day is None:
        return date(year, point.month, 1), _month_end(year, point.month)
    return date(year, point.month, point.day), date(year, point.month, point.day)


def nearest_year(point: Point, reference: date) -> int:
    """The year that puts `point` nearest to `reference` (28/12 in a 2017-01-05 text: 2016)."""
    best: tuple[int, int] | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            first, last = _point_dates(point, year)
        except ValueError:  # 29/2 in a common year, or a lunar day that does not exist
            continue
        middle = first + (last - first) / 2
        distance = abs((middle - reference).days)
        if best is None or distance < best[0]:
            best = (distance, year)
    if best is None:
        raise ValueError(f"no year fits {point}")
    return best[1]


def resolve(raw: RawDate, text: str, reference: date | None) -> DateMention | None:
    """A `DateMention` with solar start and end dates, or None when a missing year
    cannot be inferred (no reference) or the date does not exist."""
    first, last = raw.first, raw.last
    inferred = False
    try:
        if last.year is None:
            if reference is None:
                return None
            last = last._replace(year=nearest_year(last, reference))
            inferred = True
        if first.year is None:
            year = last.year
            assert year is not None
            # "từ ngày 28/12 đến 3/1": the first end lies in the year before
            if _point_dates(first, year)[0] > _point_dates(last, year)[1]:
                year -= 1
            first = first._replace(year=year)
            inferred = True
        assert first.year is not None and last.year is not None
        start = _point_dates(first, first.year)[0]
        end = _point_dates(last, last.year)[1]
    except ValueError:
        return None
    if raw.first_is_reference and reference is not None:
        start = reference
    if raw.last_is_reference:
        if reference is None:
            return None
        end = reference
    if end < start or not (start.year >= MIN_YEAR and end.year <= MAX_YEAR):
        return None
    return DateMention(
        char_start=raw.start,
        char_end=raw.end,
        text=text[raw.start : raw.end],
        start_date=start,
        end_date=end,
        granularity=raw.granularity,
        year_inferred=inferred,
        is_period=raw.is_period,
    )


def align_same_period(mentions: list[DateMention]) -> list[DateMention]:
    """ "cùng kỳ năm 2016" after "6 tháng đầu năm 2017" is Jan–Jun 2016: the comparison
    covers the same months as the latest period before it, in its own year."""
    aligned: list[DateMention] = []
    latest_period: DateMention | None = None
    for mention in mentions:
        if _SAME_PERIOD.match(mention.text) and latest_period is not None and mention.granularity == "year":
            year = mention.start_date.year
            first, last = latest_period.start_date, latest_period.end_date
            with contextlib.suppress(ValueError):  # 29 February in a common year: keep the year
                mention = mention._replace(
                    start_date=first.replace(year=year),
                    end_date=last.replace(year=year + (last.year - first.year)),
                    granularity=latest_period.granularity,
                )
        elif mention.is_period and mention.start_date.year == mention.end_date.year and mention.granularity == "month":
            latest_period = mention
        aligned.append(mention)
    return aligned


def find_dates(text: str, reference: date | None) -> list[DateMention]:
    """Resolved date mentions of `text`, years inferred from `reference`."""
    return align_same_period([m for m in (resolve(r, text, reference) for r in find_raw_dates(text)) if m is not None])
