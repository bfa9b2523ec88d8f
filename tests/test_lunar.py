"""Vietnamese lunar calendar conversion (extract.lunar), against Hồ Ngọc Đức's tables."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from extract.lunar import lunar_to_solar, solar_to_lunar, tet


@pytest.mark.parametrize(
    ("lunar_year", "expected"),
    [
        (2017, date(2017, 1, 28)),
        (2026, date(2026, 2, 17)),
        (2025, date(2025, 1, 29)),
        (2024, date(2024, 2, 10)),
        (1985, date(1985, 1, 21)),  # China (UTC+8): 1985-02-20
        (2007, date(2007, 2, 17)),  # China (UTC+8): 2007-02-18
    ],
)
def test_tet(lunar_year: int, expected: date) -> None:
    assert tet(lunar_year) == expected
    assert solar_to_lunar(expected) == (1, 1, lunar_year, False)


def test_time_zone_matters() -> None:
    assert lunar_to_solar(1, 1, 1985, tz=8.0) == date(1985, 2, 20)
    assert lunar_to_solar(1, 1, 2007, tz=8.0) == date(2007, 2, 18)
    assert solar_to_lunar(date(2007, 2, 17), tz=8.0) == (30, 12, 2006, False)
    assert solar_to_lunar(date(2007, 2, 17)) == (1, 1, 2007, False)


def test_day_before_tet_is_last_day_of_previous_year() -> None:
    day, month, year, leap = solar_to_lunar(date(2026, 2, 16))
    assert (month, year, leap) == (12, 2025, False)
    assert day in (29, 30)


def test_mung_6_tet_2017() -> None:
    assert lunar_to_solar(6, 1, 2017) == date(2017, 2, 2)
    assert solar_to_lunar(date(2017, 2, 2)) == (6, 1, 2017, False)


def test_trung_thu_2023() -> None:
    assert lunar_to_solar(15, 8, 2023) == date(2023, 9, 29)
    assert solar_to_lunar(date(2023, 9, 29)) == (15, 8, 2023, False)


def test_leap_month_2023() -> None:
    assert lunar_to_solar(1, 2, 2023) == date(2023, 2, 20)
    assert lunar_to_solar(1, 2, 2023, leap_month=True) == date(2023, 3, 22)
    assert lunar_to_solar(1, 3, 2023) == date(2023, 4, 20)
    assert solar_to_lunar(date(2023, 3, 22)) == (1, 2, 2023, True)
    assert solar_to_lunar(date(2023, 3, 21)) == (30, 2, 2023, False)


def test_leap_month_11_of_2033() -> None:
    assert solar_to_lunar(date(2033, 12, 22)) == (1, 11, 2033, True)
    assert lunar_to_solar(1, 11, 2033, leap_month=True) == date(2033, 12, 22)


@pytest.mark.parametrize(
    ("lunar_year", "leap"),
    [(2001, 4), (2004, 2), (2006, 7), (2009, 5), (2012, 4), (2014, 9), (2017, 6), (2020, 4)],
)
def test_leap_months(lunar_year: int, leap: int) -> None:
    start = lunar_to_solar(1, leap, lunar_year, leap_month=True)
    assert start - lunar_to_solar(1, leap, lunar_year) in (timedelta(29), timedelta(30))
    for month in range(1, 13):
        if month != leap:
            with pytest.raises(ValueError):
                lunar_to_solar(1, month, lunar_year, leap_month=True)


def test_leap_month_rejected_when_not_leap() -> None:
    with pytest.raises(ValueError):
        lunar_to_solar(1, 3, 2023, leap_month=True)  # 2023's leap month is 2
    with pytest.raises(ValueError):
        lunar_to_solar(1, 2, 2024, leap_month=True)  # 2024 has no leap month
    with pytest.raises(ValueError):
        lunar_to_solar(15, 6, 2026, leap_month=True)  # 2026 has no leap month


def test_impossible_dates_rejected() -> None:
    # Months of 2023-2025 that end on day 29 (the next day is day 1): day 30 is refused.
    short: list[tuple[int, int, bool]] = []
    d = date(2023, 1, 22)  # Tết 2023
    while d < date(2026, 1, 1):
        day, month, year, leap = solar_to_lunar(d)
        if day == 29 and solar_to_lunar(d + timedelta(1))[0] == 1:
            short.append((month, year, leap))
        d += timedelta(1)
    assert len(short) >= 12  # about half of ~37 months
    for month, year, leap in short:
        assert lunar_to_solar(29, month, year, leap)
        with pytest.raises(ValueError):
            lunar_to_solar(30, month, year, leap)
    for bad in [(0, 1, 2024), (31, 1, 2024), (1, 0, 2024), (1, 13, 2024)]:
        with pytest.raises(ValueError):
            lunar_to_solar(*bad)


def test_round_trip_every_day_1990_2030() -> None:
    d, end = date(1990, 1, 1), date(2030, 12, 31)
    previous = solar_to_lunar(d - timedelta(1))
    while d <= end:
        day, month, year, leap = lunar = solar_to_lunar(d)
        assert 1 <= day <= 30 and 1 <= month <= 12
        assert lunar_to_solar(day, month, year, leap) == d, (d, lunar)
        if day == 1:  # a new month: previous day ended a 29- or 30-day month
            assert previous[0] in (29, 30), (d, previous)
        else:
            assert (day - 1, month, year, leap) == previous, (d, previous)
        previous = lunar
        d += timedelta(1)


def test_every_lunar_date_round_trips() -> None:
    for year in range(1990, 2031):
        for month in range(1, 13):
            for leap in (False, True):
                for day in (1, 29, 30):
                    try:
                        d = lunar_to_solar(day, month, year, leap)
                    except ValueError:
                        continue
                    assert solar_to_lunar(d) == (day, month, year, leap)


@pytest.mark.parametrize(
    ("solar", "lunar"),
    [
        (date(1877, 4, 13), (30, 2, 1877, False)),
        (date(2054, 5, 7), (30, 3, 2054, False)),
        (date(2062, 4, 9), (30, 2, 2062, False)),
    ],
)
def test_new_moon_estimate_one_too_high(solar: date, lunar: tuple[int, int, int, bool]) -> None:
    # Days where the mean-month estimate of the last new moon overshoots; the original
    # Amlich code returns lunar day 0 here.
    assert solar_to_lunar(solar) == lunar
    assert lunar_to_solar(*lunar) == solar
    assert solar_to_lunar(solar + timedelta(1))[0] == 1
