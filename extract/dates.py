"""Dates in Vietnamese text: days, months, years, quarters, seasons, spans, terms, lunar
dates, in slashed, dashed or dotted spellings ("12/6", "12-6", "sáng 12.6", "tháng 6.2017").

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
import re
from collections.abc import Callable, Iterable, Iterator
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
_UNTIL_NOW_AFTER = re.compile(rf"\s*,?\s*(?:{_UNTIL_NOW})(?!\w)", re.IGNORECASE)
_SINCE_WORD_BEFORE = re.compile(r"(?<!\w)từ\s+$", re.IGNORECASE)
_SEASONS: dict[str, list[int]] = _LEX["seasons"]
_DECIMAL_UNITS = alternation(_LEX["decimal_units"]["words"])
# after a dotted date: "1.5 triệu" is a decimal; after a range, "từ 1800 đến 2000 đồng" is money
_NO_UNIT = rf"(?!\s*(?:%|(?:{_DECIMAL_UNITS})(?!\w)))"
_RATE_BEFORE = PhraseSet(_LEX["rate_cues"]["words"], gap=r"\s+")
_BARE_SEASONS: list[str] = _LEX["bare_seasons"]["words"]
_NAME_SEASONS = frozenset(_LEX["name_seasons"]["words"])

MIN_YEAR, MAX_YEAR = 1900, 2100

# building blocks
_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_Y = r"(?:1[89]\d\d|20\d\d|2100)"
_B = r"(?<![\w/.,\-])"  # not glued to a word, number, or another date part
_E = r"(?![\w]|[/\-.]\d)"  # not followed by more of a number or code
_TO = r"\s*(?:(?:cho\s+)?(?:đến|tới)(?:\s+tận)?|-|–|—)\s*"  # "đến", "cho đến (tận)", a dash
# between a month and its year: "tháng 7/2014", "tháng 7 - 2014", or a dot with no space,
# "tháng 7.2014" (a dot then four digits is never a thousands group, which takes three)
_MY = r"(?:\s*[/\-]\s*|\.)"
# Where runs of spaces meet with only optional marks between them ("\s*\(?\s*") they
# are possessive ("\s*+"): what follows is no space, so giving spaces back never helps,
# and trying every split of a long run of spaces among them is quadratic.


def _i(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


DIGIT = "0"  # in a rule's `starts`: the match may begin with a digit
# the rule of a year alone in brackets: mostly a film's, a book's or a birth year, which says
# nothing of when the text was written (extract/published.py, extract/pipeline.py)
BRACKETED_YEAR = "year_in_brackets"


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
    # "cùng kỳ năm 2016": the span of its sentence it compares with, to take in its own year
    compare_with: RawDate | None = None

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
    digitless: bool = False  # may match with no digit ("Quý I", "từ đầu năm đến nay")
    mention: str | None = None  # the group that is the mention, when the match holds more


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _year(match: re.Match[str], group: str = "y") -> int | None:
    # what `match.groupdict().get(group)` gives, without building the dict
    return _int(match[group]) if group in match.re.groupindex else None


# --- builders --------------------------------------------------------------------


def _day(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    point = Point(_year(m), int(m["m"]), int(m["d"]))
    return point, point, "day"


def _day_words(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    return _day(m)


def _day_range(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    groups = m.groupdict()
    # "ngày 8 và 11.2": the dotted spelling of the last day has groups of its own
    last = Point(_year(m, "y2") or _year(m, "y2d"), int(groups.get("m2") or groups["m2_"]), int(m["d2"]))
    # "ngày 6 và 7/2": the first day borrows the month (and year) of the second
    month1 = _int(m.groupdict().get("m1")) or last.month
    first = Point(_year(m, "y1") or last.year, month1, int(m["d1"]))
    if first.year != last.year and (first.month, first.day) == (last.month, last.day) and not groups.get("from"):
        return None  # "(27-7-1947 - 27-7-2017)": an anniversary names two days, not the years between
    return first, last, "day"


def _rising_day_range(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    return _day_range(m) if int(m["d1"]) < int(m["d2"]) else None


def _month(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    point = Point(_year(m), int(m["m"]))
    return point, point, "month"


def _month_range(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    last = Point(_year(m, "y2") or _year(m, "y2b"), int(m["m2"] or m["m2b"]))
    first = Point(_year(m, "y1") or last.year, int(m["m1"]))
    return first, last, "month"


def _month_pair(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    first, last = int(m["m1"]), int(m["m2"])
    if not first < last:
        return None
    year = _year(m) or _year(m, "y_")
    return Point(year, first), Point(year, last), "month"


def _bare_month_range(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    """ "từ 11-2003 đến 9-2009": two months with their years, "tháng" left out."""
    first, last = Point(int(m["y1"]), int(m["m1"])), Point(int(m["y2"]), int(m["m2"]))
    if not (first.year, first.month) < (last.year, last.month) or last.year > first.year + 30:  # type: ignore[operator]
        return None
    return first, last, "month"


def _year_month_range(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    """ "từ năm 2009 đến tháng 6.2014": from a year's first month to a month, or from a
    month to a year's last; in months."""
    if m["y1"]:
        first, last = Point(int(m["y1"]), 1), Point(int(m["y2m"]), int(m["m2"]))
    else:
        first, last = Point(int(m["y1m"]), int(m["m1"])), Point(int(m["y2"]), 12)
    if not first.year < last.year <= first.year + 30:  # type: ignore[operator]
        return None
    return first, last, "month"


def _day_month_range(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    """ "từ 1-1-2010 tới tháng 6-2017": from a full day to a month's end, in days."""
    first, last = Point(int(m["y1"]), int(m["m1"]), int(m["d1"])), Point(int(m["y2"]), int(m["m2"]))
    if not first.year <= last.year <= first.year + 30:  # type: ignore[operator]
        return None
    return first, last, "day"


def _year_only(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    point = Point(int(m["y"]))
    return point, point, "year"


_LUNAR_YEARS = load("published")["lunar_years"]
_STEMS = [w.lower() for w in _LUNAR_YEARS["stems"]]
_BRANCHES = {w.lower(): index for index, names in enumerate(_LUNAR_YEARS["branches"]) for w in names}


def _lunar_named_year(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    """ "Mậu Thân 1968": a year written after its lunar name, when the two agree (the name
    repeats every 60 years from `first`, Giáp Tý)."""
    year = int(m["y"])
    offset = year - _LUNAR_YEARS["first"]
    if offset % 10 != _STEMS.index(m["stem"].lower()) or offset % 12 != _BRANCHES[m["branch"].lower()]:
        return None
    return Point(year), Point(year), "year"


def _tet_of_year(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    if _lunar_named_year(m) is None:
        return None  # the name and the year disagree
    point = Point(int(m["y"]), 1, 1, lunar=True)
    return point, point, "day"


def _season_years(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    first = int(m["y1"])
    if (first + 1) % 100 != int(m["yy"]):
        return None
    return Point(first), Point(first + 1), "year"


def _year_range(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    first, last = int(m["y1"]), int(m["y2"])
    if not first < last <= first + 30:
        return None
    return Point(first), Point(last), "year"


def _decade(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    """ "những năm 1990", "thập niên 1970": the ten years from a year ending in 0."""
    first = int(m["y"])
    return Point(first), Point(first + 9), "year"


_CENTURIES = {"XVIII": 18, "XIX": 19, "XX": 20, "XXI": 21}


def _decade_of_century(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    """ "thập niên 90 của thế kỷ 20", "những năm 70 thế kỷ XX": a decade of a century named."""
    century = m["c"].upper()
    first = (_CENTURIES[century] if century in _CENTURIES else int(century)) * 100 - 100 + int(m["dd"])
    return Point(first), Point(first + 9), "year"


def _quarter(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    quarter = _QUARTERS[m["q"].upper()]
    year = _year(m)
    return Point(year, 3 * quarter - 2), Point(year, 3 * quarter), "month"


def _months_of_year(year: int | None, first_month: int, last_month: int) -> tuple[Point, Point, Granularity]:
    if (first_month, last_month) == (1, 12):  # the whole year: the year itself
        return Point(year), Point(year), "year"
    return Point(year, first_month), Point(year, last_month), "month"


def _year_part(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    return _months_of_year(_year(m), *_YEAR_PARTS[" ".join(m["part"].lower().split())])


_WORD_BEFORE = re.compile(r"(\w+)\s+$")


def _season(m: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    word = m["season"]
    if m.start("season") == m.start() and word[0].isupper() and word.lower() in _NAME_SEASONS:
        before = _WORD_BEFORE.search(m.string, max(0, m.start() - 20), m.start())
        if before and before[1][0].isupper():
            return None  # "chợ Đồng Xuân 1931", "Nguyễn Xuân": a name
    year, last_year = _year(m), _year(m, "y2")
    if last_year is not None:  # "mùa đông 2005 - 2006": the season across two years
        return (Point(year), Point(last_year), "year") if last_year == year + 1 else None
    return _months_of_year(year, *_SEASONS[word.lower()])


def _since_year_start(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    year = _year(m)
    return Point(year, 1, 1), Point(year, 12, 31), "day"


def _year_start_until_day(m: re.Match[str]) -> tuple[Point, Point, Granularity]:
    """ "Từ đầu năm đến ngày 15/3/2017": from the first of January of the day's year to it."""
    year = _year(m, "y2") or _year(m)
    return Point(year, 1, 1), Point(year, int(m["m"]), int(m["d"])), "day"


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
_MONTH_YEAR = rf"(?:{_MY}(?P<y>{_Y})|\s+năm\s+(?P<y_>{_Y}))?"
_SEASON = alternation(_SEASONS)
_BARE_SEASON = alternation(_BARE_SEASONS)

RULES: list[_Rule] = [
    _Rule(
        "since_year_start_until_now",
        _i(rf"{_B}từ\s+đầu\s+năm(?:\s+(?P<y>{_Y}))?\s+(?:{_UNTIL_NOW})"),
        _since_year_start,
        _words("từ"),
        period=True,
        digitless=True,
    ),
    _Rule(
        "year_start_until_day",
        _i(
            rf"{_B}từ\s+đầu\s+năm(?:\s+(?:nay|(?P<y>{_Y})))?\s*,?\s+(?:đến|tới)\s+(?:hết\s+)?(?:ngày\s+)?"
            rf"(?P<d>{_D})\s*[/\-.]\s*(?P<m>{_M})(?:\s*[/\-.]\s*(?P<y2>{_Y}))?{_E}"
        ),
        _year_start_until_day,
        _words("từ"),
        period=True,
    ),
    _Rule(
        "now_until_year_end",
        _i(rf"{_B}từ\s+(?:nay|bây giờ)\s+(?:đến|tới)\s+(?:hết\s+|cuối\s+)?năm(?:\s+(?P<y>{_Y}))?"),
        _until_year_end,
        _words("từ"),
        period=True,
        digitless=True,
    ),
    _Rule(
        "day_range_full",
        _i(
            rf"{_B}(?P<from>từ\s+)?(?:ngày\s+)?(?P<d1>{_D})\s*[/\-]\s*(?P<m1>{_M})(?:\s*[/\-]\s*(?P<y1>{_Y}))?"
            rf"{_TO}(?:hết\s+)?(?:ngày\s*)?(?P<d2>{_D})\s*[/\-]\s*(?P<m2>{_M})(?:\s*[/\-]\s*(?P<y2>{_Y}))?{_E}"
        ),
        _day_range,
        _words("từ", "ngày", DIGIT),
        period=True,
    ),
    _Rule(
        "day_range_from",
        # "từ 29 đến 31-5-2017": "từ", two days and the second's full date, no "ngày"
        _i(
            rf"{_B}từ\s+(?P<d1>{_D})\s*(?:đến|tới|-|–)\s*(?P<d2>{_D})\s*[/\-]\s*(?P<m2>{_M})"
            rf"\s*[/\-]\s*(?P<y2>{_Y}){_E}"
        ),
        _day_range,
        _words("từ"),
        period=True,
    ),
    _Rule(
        "day_range_of_month",
        # "(25-26/2/2016)", "xử ngày 25-26/2/2016": two days of a month, its year written,
        # no cue needed (a fraction or a code carries no year of four digits)
        _i(rf"{_B}(?P<d1>{_D})\s*[-–]\s*(?P<d2>{_D})\s*/\s*(?P<m2>{_M})\s*/\s*(?P<y2>{_Y}){_E}"),
        _rising_day_range,
        _words(DIGIT),
        period=True,
    ),
    _Rule(
        "day_range_short",
        _i(
            rf"{_B}(?:từ\s+)?ngày\s+(?P<d1>{_D})\s*(?:đến|tới|và|-|–|,)\s*(?:hết\s+)?(?:ngày\s*)?"
            rf"(?P<d2>{_D})(?:\s*[/\-]\s*(?P<m2>{_M})(?:\s*[/\-]\s*(?P<y2>{_Y}))?|\.(?P<m2_>{_M})(?:\.(?P<y2d>{_Y}))?)"
            rf"{_E}{_NO_UNIT}"
        ),
        _day_range,
        _words("từ", "ngày"),
        period=True,
    ),
    _Rule(
        "day_range_dot",
        # "từ 26.1 đến 1.2", "ngày 17.6 - 20.6": dotted, so a cue first and no unit after
        _i(
            rf"{_B}(?:từ\s+(?:(?:{_DAY_CUES})\s+)?|(?:{_DAY_CUES})\s+)(?P<d1>{_D})\.(?P<m1>{_M})(?:\.(?P<y1>{_Y}))?"
            rf"{_TO}(?:hết\s+)?(?:ngày\s*)?(?P<d2>{_D})\.(?P<m2>{_M})(?:\.(?P<y2>{_Y}))?{_E}{_NO_UNIT}"
        ),
        _day_range,
        _words("từ", *_LEX["day_cues"]["words"]),
        period=True,
    ),
    _Rule(
        "month_range",
        _i(
            rf"{_B}(?:từ\s+)?tháng\s+(?P<m1>{_M})(?:{_MY}(?P<y1>{_Y})|\s+năm\s+(?P<y1_>{_Y}))?"
            rf"{_TO}(?:(?:hết\s+)?tháng\s+(?P<m2>{_M})(?:{_MY}(?P<y2>{_Y})|\s+năm\s+(?P<y2_>{_Y}))?"
            # "tháng 1/2004 - 5/2010": the second month may drop "tháng" where both carry a year
            rf"|(?(y1)(?P<m2b>{_M}){_MY}(?P<y2b>{_Y})|(?!))){_E}"
        ),
        _month_range,
        _words("từ", "tháng"),
        period=True,
    ),
    _Rule(
        "bare_month_range",
        # "từ 11-2003 đến 9-2009", "từ 11/2003 tới 9/2009": "từ" and two months with their
        # years, "tháng" left out; a month and a year alone ("6/2017") are no date here
        _i(rf"{_B}từ\s+(?P<m1>{_M}){_MY}(?P<y1>{_Y}){_TO}(?:hết\s+)?(?P<m2>{_M}){_MY}(?P<y2>{_Y}){_E}"),
        _bare_month_range,
        _words("từ"),
        period=True,
    ),
    _Rule(
        "day_month_range",
        _i(
            rf"{_B}từ\s+(?:ngày\s+)?(?P<d1>{_D})\s*[/\-.]\s*(?P<m1>{_M})\s*[/\-.]\s*(?P<y1>{_Y})"
            rf"{_TO}(?:hết\s+)?tháng\s+(?P<m2>{_M})(?:{_MY}|\s+năm\s+)(?P<y2>{_Y}){_E}"
        ),
        _day_month_range,
        _words("từ"),
        period=True,
    ),
    _Rule(
        "year_month_range",
        # "từ năm 2009 đến tháng 6.2014", "từ tháng 3/2009 đến năm 2014": a year and a month
        # ("từ cuối năm 2014 đến tháng 4/2015" starts in that year: its months are not stated)
        _i(
            rf"{_B}từ\s+(?:(?:(?:cuối|đầu|giữa)\s+)?năm\s+(?P<y1>{_Y})|tháng\s+(?P<m1>{_M})(?:{_MY}|\s+năm\s+)(?P<y1m>{_Y}))"
            rf"{_TO}(?:hết\s+)?(?(y1)tháng\s+(?P<m2>{_M})(?:{_MY}|\s+năm\s+)(?P<y2m>{_Y})|năm\s+(?P<y2>{_Y})){_E}"
        ),
        _year_month_range,
        _words("từ"),
        period=True,
    ),
    _Rule(
        "month_pair",
        # "tháng 7-8/2016": two months sharing the year written after the second
        _i(
            rf"{_B}(?<!mỗi )(?:từ\s+)?tháng\s+(?P<m1>{_M})\s*[-–]\s*(?P<m2>{_M})"  # "mỗi tháng 5-6 ca": a rate
            rf"(?:\s*/\s*(?P<y>{_Y})|\s+năm\s+(?P<y_>{_Y}))?{_E}{_NO_UNIT}"  # not "mỗi tháng 9 - 10 triệu đồng"
        ),
        _month_pair,
        _words("từ", "tháng"),
        period=True,
    ),
    _Rule(
        "year_range",
        # "năm học 2016 - 2017": a school or fiscal year spans both
        # "Từ 1996 đến năm 2000": after "từ", the first year may drop "năm"
        _i(
            rf"{_B}(?:từ\s+(?:năm(?:\s+(?:{_INFIX}))?\s+)?|năm(?:\s+(?:{_INFIX}))?\s+)(?P<y1>{_Y})"
            rf"{_TO}(?:năm\s+)?(?P<y2>{_Y}){_E}{_NO_UNIT}"  # not "từ 1800 đến 2000 đồng"
        ),
        _year_range,
        _words("từ", "năm"),
        period=True,
    ),
    _Rule("term", _i(rf"{_B}(?P<y1>{_Y})\s*[-–—]\s*(?P<y2>{_Y}){_E}"), _year_range, _words(DIGIT)),
    _Rule(
        "decade",
        _i(rf"{_B}(?:những\s+năm|thập\s+(?:niên|kỷ|kỉ)(?:\s+năm)?)\s+(?P<y>1[89]\d0|20\d0)(?:s)?{_E}"),
        _decade,
        _words("những", "thập"),
    ),
    _Rule(
        "decade_of_century",
        _i(
            rf"{_B}(?:những\s+năm|thập\s+(?:niên|kỷ|kỉ))\s+(?P<dd>[1-9]0)\s+(?:của\s+)?thế\s+(?:kỷ|kỉ)\s+"
            rf"(?P<c>1[89]|2[01]|XVIII|XIX|XX|XXI){_E}"
        ),
        _decade_of_century,
        _words("những", "thập"),
    ),
    _Rule(
        "year_part",
        _i(rf"{_B}(?P<part>{_YEAR_PART})(?:\s+(?P<y>{_Y}))?{_E}"),
        _year_part,
        _words(*_YEAR_PARTS),
        period=True,
        digitless=True,
    ),
    _Rule(
        "season",
        # "mùa" before any season; a bare season word only where it cannot be a verb
        _i(
            rf"{_B}(?:mùa\s+|(?=(?:{_BARE_SEASON})\s))(?P<season>{_SEASON})(?:\s+năm)?\s+(?P<y>{_Y})"
            rf"(?:\s*[-–—]\s*(?P<y2>{_Y}))?{_E}"
        ),
        _season,
        _words("mùa", *_BARE_SEASONS),
    ),
    _Rule(
        "quarter",
        _i(rf"{_B}quý\s+(?P<q>IV|I{{1,3}}|[1-4])(?:(?:{_MY}|\s+năm\s+)?(?P<y>{_Y}))?{_E}"),
        _quarter,
        _words("quý"),
        digitless=True,
    ),
    _Rule(
        "lunar_new_year_day",
        # "mùng 1 Tết Mậu Thân 1968": the lunar name may stand between Tết and its year
        _i(
            rf"{_B}(?:{_LUNAR_DAY})\s+(?P<d>{_D})\s+(?:tháng\s+giêng|(?:{_TET}))"
            rf"(?:\s+(?:{alternation(_STEMS)})\s+(?:{alternation(_BRANCHES)})(?=\s+(?:năm\s+)?{_Y}))?"
            rf"(?:\s+(?:năm\s+)?(?P<y>{_Y}))?{_E}"
        ),
        _lunar_new_year_day,
        _words(*_LUNAR["day_words"]),
    ),
    _Rule(
        "lunar_day_month",
        _i(
            rf"{_B}(?:(?:{_LUNAR_DAY})\s+)?(?P<d>{_D})(?:\s*+/|\s++tháng\s++)(?P<m>{_LUNAR_MONTH}|{_M})"
            rf"(?:\s*/\s*(?P<y>{_Y}))?\s+(?:{_LUNAR_SUFFIX})(?!\w)"
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
        # "ngày 3 tháng 5", and after any day cue: "Sáng 3 tháng 5 năm 2017"
        _i(rf"{_B}(?:{_DAY_CUES})\s+(?P<d>{_D})\s+tháng\s+(?P<m>{_M})(?:\s+năm\s+(?P<y>{_Y}))?{_E}"),
        _day_words,
        _words(*_LEX["day_cues"]["words"]),
    ),
    _Rule(
        "day_cued",
        _i(rf"{_B}(?:{_DAY_CUES})\s*+(?P<open>\()?\s*+{_DM}(?(open)\s*\)){_E}"),
        _day,
        _words(*_LEX["day_cues"]["words"]),
    ),
    _Rule(
        "day_cued_dot",
        # "sáng 9.6", but not "mỗi ngày 1.5 triệu đồng": a decimal takes a unit after it
        _i(rf"{_B}(?:{_DAY_CUES})(?:\s+|\s*+(?P<open>\()\s*+){_DM_DOT}(?(open)\s*\)){_E}{_NO_UNIT}"),
        _day,
        _words(*_LEX["day_cues"]["words"]),
    ),
    _Rule("day_in_brackets", _i(rf"(?<=\()\s*{_DM}\s*(?=\))"), _day, frozenset({"("})),
    # "bước lên võ đài (1958)", "Mạch Trung Phương (1964)": a year alone in brackets (blind set 30)
    _Rule(BRACKETED_YEAR, _i(rf"(?<=\()(?P<y>{_Y})(?=\))"), _year_only, frozenset({"("})),
    _Rule(
        "day_slash",
        _i(rf"{_B}(?P<d>{_D})/(?P<m>{_M})(?:/(?P<y>{_Y}))?{_E}"),
        _day,
        _words(DIGIT),
    ),
    _Rule(
        "day_dot_year",
        # "- 9.9.2014: Cơ quan điều tra …": a dotted day with no cue needs its four-digit
        # year (a group of four digits is no thousands group) and no unit after
        _i(rf"{_B}(?P<d>{_D})\.(?P<m>{_M})\.(?P<y>{_Y}){_E}{_NO_UNIT}"),
        _day,
        _words(DIGIT),
    ),
    _Rule(
        "month_dot_year",
        # "- 4.2014: Ông M. tố cáo …", read the same way
        _i(rf"{_B}(?P<m>{_M})\.(?P<y>{_Y}){_E}{_NO_UNIT}"),
        _month,
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
        # not the months and days of a duration: "17 năm 6 tháng 11 ngày" (blind set 38)
        _i(
            rf"{_B}(?:(?:{_SOFT})\s+)?(?:(?<!\d\s)|(?!tháng\s+\d+\s+ngày(?!\s*\d)))tháng\s+(?P<m>{_M}){_MONTH_YEAR}{_E}"
        ),
        _month,
        _words(*_LEX["soft_prefixes"]["words"], "tháng"),
    ),
    _Rule(
        "tet_of_year",
        # "Tết Đinh Dậu 2017": the first day of that lunar year (the gold of seeds and dev2
        # reads Tết as its day), no period of what it frames. Without the lunar name, "Tết
        # năm 2016" stays the year, which dates the text as a year cited does.
        _i(
            rf"{_B}(?:{_TET})\s+(?P<stem>{alternation(_STEMS)})\s+(?P<branch>{alternation(_BRANCHES)})"
            rf"\s+(?:năm\s+)?(?P<y>{_Y}){_E}"
        ),
        _tet_of_year,
        _words("tết"),
    ),
    _Rule(
        "lunar_named_year",
        # "trận Mậu Thân 1968", "Tết Mậu Thân năm 1968": the name and its year agree
        _i(
            rf"{_B}(?:(?:tết|xuân)\s+)?(?P<stem>{alternation(_STEMS)})\s+(?P<branch>{alternation(_BRANCHES)})"
            rf"\s+(?:năm\s+)?(?P<y>{_Y}){_E}"
        ),
        _lunar_named_year,
        _words("tết", "xuân", *_STEMS),
    ),
    _Rule(
        "vision_year",
        # "Quy hoạch … đến năm 2020, tầm nhìn 2030": the horizon year, written without "năm"
        _i(rf"{_B}tầm\s+nhìn(?:\s+(?:đến|tới))?(?:\s+năm)?\s+(?P<y>{_Y}){_E}"),
        _year_only,
        _words("tầm"),
    ),
    _Rule(
        "season_years",
        # "mùa giải 2015/16", "năm học 2016-17": a season over two years, the second cut to
        # its last two digits
        _i(rf"{_B}(?:mùa\s+(?:giải|bóng)|năm\s+học|niên\s+khóa)\s+(?P<y1>{_Y})\s*[/\-–]\s*(?P<yy>\d\d){_E}"),
        _season_years,
        _words("mùa", "năm", "niên"),
    ),
    _Rule(
        "year_after_year",
        # "của năm 2017 và 2018": a second year joined to one written with "năm" (the
        # mention is the year alone)
        _i(rf"(?<=năm \d{{4}} )(?:và|hoặc)\s+(?P<y>{_Y}){_E}{_NO_UNIT}"),
        _year_only,
        _words("và", "hoặc"),
        mention="y",
    ),
    _Rule(
        "year",
        _i(rf"{_B}(?:(?:{_SOFT})\s+)?năm(?:\s+(?:{_INFIX}))?\s+(?P<y>{_Y}){_E}"),
        _year_only,
        _words(*_LEX["soft_prefixes"]["words"], "năm"),
    ),
]

_FRACTION_BEFORE = _i(rf"(?:{alternation(_LEX['fraction_cues']['words'])})\s+(?:\d+/\d+\s*(?:đến|tới|-|–)\s*)?$")
# "2/3 số bệnh nhân": the words the figures read as a share's whole
_FRACTION_AFTER = _i(rf"\s+(?:{alternation(load('figures')['fractions']['share_after'])})(?!\w)")
_IDENTIFIER_BEFORE = PhraseSet(_LEX["identifier_cues"]["words"])
_BIRTH_BEFORE = PhraseSet(_LEX["birth_cues"]["words"], gap=r"\s*[:.]?\s*")
_PERIOD_BEFORE = PhraseSet(_PERIOD_CUES, gap=r"\s+")
_CLOCK_BEFORE = _i(r"\d{1,2}\s*(?:giờ|h)(?:\s*\d{1,2}\s*(?:phút)?)?\s*$")
_SAME_PERIOD = _i(r"cùng kỳ\b")  # used with `match`: at the mention's start
_DAY_WORD = _i(r"(?<!\w)ngày\s")
_LUNAR_AFTER = _i(rf"\s*+(?:{_LUNAR_SUFFIX})(?!\w)")
# where one sentence ends and the next begins (an abbreviation such as "TP. HCM" is
# taken for one: "cùng kỳ" then keeps its year, the cautious reading)
_SENTENCE_END = re.compile(r"[.!?…][\"”’)]*\s|\n")
_DAY_RULES = {"day_slash", "day_cued", "day_cued_dot", "day_in_brackets", "day_dash_year", "day_dot_year", "day_words"}
# the rules a fraction or an identifier cue voids
_FRACTION_RULES = _DAY_RULES | {"day_range_full", "day_range_dot", "month_dot_year"}


_YEAR_ALTERNATIVES = {"y_", "y1_", "y2_"}


def _points(rule: _Rule, match: re.Match[str]) -> tuple[Point, Point, Granularity] | None:
    built = rule.build(match)
    if built is None:
        return None
    first, last, granularity = built
    if not _YEAR_ALTERNATIVES & match.re.groupindex.keys():  # most rules spell the year one way
        return first, last, granularity
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
    if point.day <= 28:  # every month has these: most days, checked without the calendar
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
# Most words that may begin a date begin none ("từ", "vào", "đến": 1 in 20 to 1 in 60 on
# the crawl). A rule that needs a digit is tried only when one follows within DIGIT_WITHIN
# characters (the most a rule's words put before its first digit is about 21).
DIGIT_WITHIN = 64
_TRIES_DIGITLESS = {
    word: [(index, match) for index, match in tries if RULES[index].digitless] for word, tries in _TRIES.items()
}
_ANY_DIGIT = re.compile(r"\d")
# (a dot starts a date only before a four-digit year: "9.9.2014", "4.2014", never "1.500")
_AFTER_DIGITS = re.compile(rf"\s*[/\-–—]|\s+tháng|\.(?:\d{{1,2}}\.)?{_Y}(?!\d)")
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
        tries = _TRIES[key]
        if key != DIGIT and _ANY_DIGIT.search(lowered, pos, pos + DIGIT_WITHIN) is None:
            tries = _TRIES_DIGITLESS[key]
        for index, match_at in tries:
            if pos < last_end[index]:
                continue
            match = match_at(text, pos)
            if match:
                last_end[index] = match.end()
                yield index, match


_new = tuple.__new__
assert RawDate._fields == (
    *("start", "end", "first", "last", "granularity", "rule"),
    *("first_is_reference", "last_is_reference", "is_period", "compare_with"),
), "`find_raw_dates` builds RawDate by position"


def find_raw_dates(text: str, lowered: str | None = None) -> list[RawDate]:
    """Every date mention in `text`, without overlaps (longer and earlier rule wins).
    `lowered` is `lowered_like(text)` when the caller has it already."""
    candidates: list[tuple[int, int, int, RawDate]] = []
    lowered = lowered_like(text) if lowered is None else lowered
    for priority, match in _rule_matches(text, lowered):
        rule = RULES[priority]
        start, end = match.span(rule.mention) if rule.mention else match.span()
        # trim spaces a pattern took at its edges
        while end > start and text[end - 1].isspace():
            end -= 1
        before = text[max(0, start - 30) : start]
        if _BIRTH_BEFORE.phrase_before(text, start):
            continue
        if rule.name in ("day_cued", "day_cued_dot") and _CLOCK_BEFORE.search(before):
            # "2h sáng ngày 12/6", "10h sáng 19/6": "2h sáng" is the time; the date starts
            # at "ngày", else at the day itself
            day_word = _DAY_WORD.search(text, start, end)
            if day_word:
                start = day_word.start()
            else:  # "12h trưa (19/6)": the day without its brackets
                start, end = match.start("d"), match.end("y" if match["y"] else "m")
        if rule.name in ("day_cued_dot", "day_range_dot") and _RATE_BEFORE.phrase_before(text, start):
            continue  # "mỗi ngày 1.5 triệu": a rate per day, then a decimal
        if rule.name in _FRACTION_RULES and (
            _FRACTION_BEFORE.search(before) or _IDENTIFIER_BEFORE.phrase_before(text, start)
        ):
            continue
        if rule.name == "day_slash" and not match["y"] and _FRACTION_AFTER.match(lowered, end):
            continue  # "2/3 số bệnh nhân": two thirds of the patients
        points = _points(rule, match)
        if points is None:
            continue
        first, last, granularity = points
        lunar_after = _LUNAR_AFTER.match(text, end) if granularity == "day" and not first.lunar else None
        if lunar_after:  # "từ ngày 6 - 9/4 âm lịch": the whole span is lunar
            first, last, end = first._replace(lunar=True), last._replace(lunar=True), lunar_after.end()
        if not (_valid_day(first) and _valid_day(last)):
            continue
        is_period = rule.period or bool(_PERIOD_BEFORE.phrase_before(text, start))
        # `RawDate(start=…, …)` field by field, without its Python-level `__new__`
        raw = _new(
            RawDate,
            (
                start,
                end,
                first,
                last,
                granularity,
                rule.name,
                rule.name == "now_until_year_end",  # first_is_reference
                rule.name == "since_year_start_until_now",  # last_is_reference
                is_period,
                None,  # compare_with
            ),
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
    chosen.sort(key=lambda r: r.start)
    return _link_same_periods(text, [_until_now(text, raw) for raw in chosen])


def _until_now(text: str, raw: RawDate) -> RawDate:
    """ "Từ năm 2015 đến nay", "từ tháng 11/2016 tới nay": the date starts a span that runs
    to the day of writing; the mention takes in "từ" and "đến nay"."""
    if raw.last_is_reference or raw.first_is_reference or raw.first != raw.last:
        return raw
    after = _UNTIL_NOW_AFTER.match(text, raw.end)
    if after is None:
        return raw
    since = _SINCE_WORD_BEFORE.search(text, max(0, raw.start - 8), raw.start)
    if since is None and text[raw.start : raw.start + 3].lower() != "từ":
        return raw
    start = since.start() if since else raw.start
    return raw._replace(
        start=start, end=after.end(), granularity="day", rule="since_until_now", last_is_reference=True, is_period=True
    )


def _link_same_periods(text: str, raws: list[RawDate]) -> list[RawDate]:
    """ "so với cùng kỳ năm 2016" compares with the span its sentence states: the latest
    one before it ("từ ngày 1/1 - 4/2, …, so với cùng kỳ năm 2016"), else the first after
    it; else the latest period of several months or days stated before ("Trong 5 tháng
    đầu năm 2017, … . Thủy sản tăng 10% so với cùng kỳ năm 2016"), unless a year comes
    between. With none, it keeps its year: nothing says which months it means."""
    for index, raw in enumerate(raws):
        if raw.granularity != "year" or not _SAME_PERIOD.match(text, raw.start):
            continue
        period = (
            _span_in_sentence(text, raw, reversed(raws[:index]))
            or _span_in_sentence(text, raw, raws[index + 1 :])
            or _earlier_period(text, reversed(raws[:index]))
        )
        if period is not None:
            raws[index] = raw._replace(compare_with=period)
    return raws


def _is_span(text: str, raw: RawDate) -> bool:
    """A span of days or months, or one month, that is not itself a "cùng kỳ"."""
    return (
        raw.granularity != "year"
        and (raw.first != raw.last or raw.granularity == "month")
        and not _SAME_PERIOD.match(text, raw.start)
    )


def _span_in_sentence(text: str, same: RawDate, others: Iterable[RawDate]) -> RawDate | None:
    """The first span of `others` (walking away from `same`) in `same`'s sentence."""
    for other in others:
        low, high = (other.end, same.start) if other.start < same.start else (same.end, other.start)
        if _SENTENCE_END.search(text, low, high):
            return None
        if _is_span(text, other):
            return other
    return None


def _earlier_period(text: str, before: Iterable[RawDate]) -> RawDate | None:
    """The latest period of more than one month or day (not a single month: "trong tháng
    1/2017" in another sentence says nothing of the comparison), walking back until a year."""
    for other in before:
        if other.granularity == "year" and not _SAME_PERIOD.match(text, other.start):
            return None
        if other.is_period and other.first != other.last and _is_span(text, other):
            return other
    return None


# --- resolution ----------------------------------------------------------------------


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _point_dates(point: Point, year: int) -> tuple[date, date]:
    """First and last solar day covered by `point` in `year`."""
    if point.lunar:
        solar = lunar_to_solar(point.day or 1, point.month or 1, year)
        return solar, solar
    if point.month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if point.day is None:
        return date(year, point.month, 1), month_end(year, point.month)
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


def resolve(
    raw: RawDate,
    text: str,
    reference: date | None,
    *,
    reference_is_guess: bool = False,
    reference_precision: str = "day",
) -> DateMention | None:
    """A `DateMention` with solar start and end dates, or None when a missing year
    cannot be inferred (no reference) or the date does not exist.

    A span up to the day of writing ("từ năm 2011 đến nay") ends on the reference when it
    is the publication day; when the publication is known only to its month or year
    (`reference_precision`), on that month's or year's last day, at that precision; and
    when the reference is no publication date but a day the text was written after
    (`reference_is_guess`, `extract.pipeline.latest_cited_day`), on the last day of that
    day's year, known to the year only (`year_inferred`)."""
    first, last = raw.first, raw.last
    inferred = False
    granularity = raw.granularity
    if raw.last_is_reference and reference is not None and first.year is None:
        # "từ đầu năm đến nay", "từ tháng 5 đến nay": of the year of writing, or the one before
        year = reference.year
        try:
            if _point_dates(first, year)[0] > reference:
                year -= 1
        except ValueError:
            return None
        first, last, inferred = first._replace(year=year), last._replace(year=year), True
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
            return None  # "từ tháng 8/2016 đến nay" with no day of writing: no end to give
        end = reference
        if reference_is_guess:
            end, granularity, inferred = date(reference.year, 12, 31), "year", True
        elif reference_precision == "year":
            end, granularity = date(reference.year, 12, 31), "year"
        elif reference_precision == "month":
            end, granularity = month_end(reference.year, reference.month), "month"
    if raw.compare_with is not None:
        compared = resolve(raw.compare_with, text, reference)
        if compared is not None:
            shifted = _shift_years(compared.start_date, compared.end_date, start.year)
            if shifted is not None:
                (start, end), granularity = shifted, compared.granularity
    if end < start or not (start.year >= MIN_YEAR and end.year <= MAX_YEAR):
        return None
    return DateMention(
        char_start=raw.start,
        char_end=raw.end,
        text=text[raw.start : raw.end],
        start_date=start,
        end_date=end,
        granularity=granularity,
        year_inferred=inferred,
        is_period=raw.is_period,
    )


def _shift_years(first: date, last: date, year: int) -> tuple[date, date] | None:
    """The span `first`..`last` moved to begin in `year` (None for 29 February in a
    common year: the mention then keeps its own year)."""
    try:
        return first.replace(year=year), last.replace(year=year + last.year - first.year)
    except ValueError:
        return None


def align_same_period(mentions: list[DateMention]) -> list[DateMention]:
    """Kept for callers: "cùng kỳ năm 2016" now takes the span of its own sentence in
    `resolve` (`RawDate.compare_with`), since the latest period anywhere before it (what
    this did) was often another sentence's."""
    return list(mentions)


def find_dates(text: str, reference: date | None) -> list[DateMention]:
    """Resolved date mentions of `text`, years inferred from `reference`."""
    return align_same_period([m for m in (resolve(r, text, reference) for r in find_raw_dates(text)) if m is not None])
