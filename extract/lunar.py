"""Vietnamese lunar calendar (âm lịch) <-> Gregorian calendar.

Reimplements Hồ Ngọc Đức's astronomical algorithm ("Amlich"): new moons and the
sun's longitude are computed from Julian day numbers, and a month begins on the
local calendar day of its new moon. The local day depends on the time zone, so
the calendar must be computed for UTC+7 (Vietnam): the Chinese calendar, computed
for UTC+8, puts some new moons on the next day and so differs in some years, e.g.
Tết 1985 is 1985-01-21 in Vietnam but 1985-02-20 in China, Tết 2007 is 2007-02-17
in Vietnam but 2007-02-18 in China.

Dates are proleptic Gregorian (as `datetime.date`); the astronomical series are
accurate for roughly 1800-2199.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache

__all__ = ["lunar_to_solar", "solar_to_lunar", "tet"]

VIETNAM_TZ = 7.0
_JD_ORDINAL_OFFSET = 1721425  # Julian day number of date.fromordinal(1) - 1
_SYNODIC_MONTH = 29.530588853
_NEW_MOON_EPOCH = 2415021.076998695  # new moon of 1900-01-01, in Julian days
_DR = math.pi / 180


def _jd_from_date(d: date) -> int:
    """Julian day number of a (proleptic Gregorian) date."""
    return d.toordinal() + _JD_ORDINAL_OFFSET


def _date_from_jd(jd: int) -> date:
    return date.fromordinal(jd - _JD_ORDINAL_OFFSET)


def _new_moon(k: int) -> float:
    """Julian day (UTC, fractional) of the k-th new moon after 1900-01-01."""
    t = k / 1236.85
    t2 = t * t
    t3 = t2 * t
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _DR)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3  # sun anomaly
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3  # moon anomaly
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3  # moon latitude arg
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * _DR) + 0.0021 * math.sin(2 * _DR * m)
    c1 += -0.4068 * math.sin(mpr * _DR) + 0.0161 * math.sin(_DR * 2 * mpr)
    c1 += -0.0004 * math.sin(_DR * 3 * mpr)
    c1 += 0.0104 * math.sin(_DR * 2 * f) - 0.0051 * math.sin(_DR * (m + mpr))
    c1 += -0.0074 * math.sin(_DR * (m - mpr)) + 0.0004 * math.sin(_DR * (2 * f + m))
    c1 += -0.0004 * math.sin(_DR * (2 * f - m)) - 0.0006 * math.sin(_DR * (2 * f + mpr))
    c1 += 0.0010 * math.sin(_DR * (2 * f - mpr)) + 0.0005 * math.sin(_DR * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return jd1 + c1 - delta_t


def _sun_longitude(jdn: float) -> float:
    """Sun's apparent longitude in radians, in [0, 2π), at Julian day `jdn` (UTC)."""
    t = (jdn - 2451545.0) / 36525
    t2 = t * t
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2  # mean anomaly
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2  # mean longitude
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(_DR * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(_DR * 2 * m) + 0.000290 * math.sin(_DR * 3 * m)
    lon = (l0 + dl) * _DR
    return lon - 2 * math.pi * math.floor(lon / (2 * math.pi))


def _sun_sector(day_number: int, tz: float) -> int:
    """Sun longitude at the start of a local day, as a sector 0..11 of 30° each."""
    return math.floor(_sun_longitude(day_number - 0.5 - tz / 24) / math.pi * 6)


@lru_cache(maxsize=4096)
def _new_moon_day(k: int, tz: float) -> int:
    """Julian day number of the local day of the k-th new moon."""
    return math.floor(_new_moon(k) + 0.5 + tz / 24)


@lru_cache(maxsize=1024)
def _lunar_month11(year: int, tz: float) -> int:
    """Julian day number of the start of lunar month 11 (holding the winter solstice)
    that begins in solar `year`."""
    off = _jd_from_date(date(year, 12, 31)) - 2415021
    k = math.floor(off / _SYNODIC_MONTH)
    nm = _new_moon_day(k, tz)
    if _sun_sector(nm, tz) >= 9:  # solstice not yet reached in the month after: take previous
        nm = _new_moon_day(k - 1, tz)
    return nm


@lru_cache(maxsize=1024)
def _leap_month_offset(a11: int, tz: float) -> int:
    """Offset (in months after month 11 starting on day `a11`) of the leap month: the
    first month with no major solar term (the sun sector does not change)."""
    k = math.floor((a11 - _NEW_MOON_EPOCH) / _SYNODIC_MONTH + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i, tz), tz)
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i, tz), tz)
        if arc == last or i >= 14:
            break
    return i - 1


def solar_to_lunar(d: date, tz: float = VIETNAM_TZ) -> tuple[int, int, int, bool]:
    """(day, month, lunar_year, leap_month) of a solar date."""
    day_number = _jd_from_date(d)
    # Last new moon on or before the day. The mean-month estimate of k can be one too
    # high (e.g. 1877-04-13, 2054-05-07, where the original algorithm gives day 0).
    k = math.floor((day_number - _NEW_MOON_EPOCH) / _SYNODIC_MONTH) + 1
    month_start = _new_moon_day(k, tz)
    while month_start > day_number:
        k -= 1
        month_start = _new_moon_day(k, tz)
    a11 = _lunar_month11(d.year, tz)
    b11 = a11
    if a11 >= month_start:
        lunar_year = d.year
        a11 = _lunar_month11(d.year - 1, tz)
    else:
        lunar_year = d.year + 1
        b11 = _lunar_month11(d.year + 1, tz)
    lunar_day = day_number - month_start + 1
    diff = (month_start - a11) // 29
    leap = False
    lunar_month = diff + 11
    if b11 - a11 > 365:  # 13 months between two months 11: one is leap
        leap_diff = _leap_month_offset(a11, tz)
        if diff >= leap_diff:
            lunar_month = diff + 10
            leap = diff == leap_diff
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and diff < 4:
        lunar_year -= 1
    return lunar_day, lunar_month, lunar_year, leap


def lunar_to_solar(day: int, month: int, lunar_year: int, leap_month: bool = False, tz: float = VIETNAM_TZ) -> date:
    """Solar date of a lunar date; raises ValueError for an impossible lunar date (e.g.
    leap_month=True when that month is not leap that year, day 30 of a 29-day month)."""
    if not 1 <= month <= 12:
        raise ValueError(f"lunar month must be 1..12, not {month}")
    if not 1 <= day <= 30:
        raise ValueError(f"lunar day must be 1..30, not {day}")
    if month < 11:
        a11 = _lunar_month11(lunar_year - 1, tz)
        b11 = _lunar_month11(lunar_year, tz)
    else:
        a11 = _lunar_month11(lunar_year, tz)
        b11 = _lunar_month11(lunar_year + 1, tz)
    off = (month - 11) % 12
    if b11 - a11 > 365:
        leap_off = _leap_month_offset(a11, tz)
        # The leap month repeats the month before it: offset 1 -> 11, 2 -> 12, 3 -> 1...
        leap_of_year = (leap_off - 2) % 12 or 12
        if leap_month and month != leap_of_year:
            raise ValueError(f"lunar year {lunar_year} has leap month {leap_of_year}, not {month}")
        if leap_month or off >= leap_off:
            off += 1
    elif leap_month:
        raise ValueError(f"lunar year {lunar_year} has no leap month around month {month}")
    k = math.floor(0.5 + (a11 - _NEW_MOON_EPOCH) / _SYNODIC_MONTH)
    month_start = _new_moon_day(k + off, tz)
    month_length = _new_moon_day(k + off + 1, tz) - month_start
    if day > month_length:
        raise ValueError(
            f"lunar month {month}{' (leap)' if leap_month else ''}/{lunar_year} has {month_length} days, not {day}"
        )
    return _date_from_jd(month_start + day - 1)


def tet(lunar_year: int) -> date:
    """Solar date of the first day of the lunar new year (Tết Nguyên đán)."""
    return lunar_to_solar(1, 1, lunar_year)
