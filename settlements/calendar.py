"""Mainland China business days and settlement due dates (DESIGN.md §7).

A day is decided, in this order, by:

1. an operator override (``overrides[day]``: True = working day, False = holiday / day off);
2. the official calendar of the ``chinesecalendar`` library, which covers a fixed range of years
   (2004–2026 in 1.11.0) and raises ``NotImplementedError`` outside it;
3. a Monday–Friday fallback.

A year counts as *known* when the library covers it, or when an operator has marked its official
days complete (``complete_years``). Entering days does not make a year known: until the whole
notice is in, one holiday says nothing about the others, so the year's due dates stay
provisional. Operators enter only the exceptions of a new year (its holidays and make-up working
days), not every weekday; once the year is complete, its other days follow Monday–Friday and are
trusted. A due date is *provisional* when any day examined to reach it (from the day after the
start to the result) lies in an unknown year; recompute provisional due dates when days for that
year are entered or the year is marked complete.

Pure rules: the caller passes the overrides (dates in Asia/Shanghai) and the completed years;
this module never queries the database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple

import chinese_calendar

_ONE_DAY = timedelta(days=1)
_NO_YEARS: frozenset[int] = frozenset()


class DueDate(NamedTuple):
    date: date
    provisional: bool


def is_business_day(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    """Whether ``day`` is a working day: override, else the official calendar, else Mon–Fri."""
    _check_day(day)
    return _decide(day, overrides or {}, _NO_YEARS)[0]


def is_known(day: date, *, complete_years: Collection[int] = _NO_YEARS) -> bool:
    """Whether ``day``'s year is decided by trusted data rather than a guess (module docstring)."""
    _check_day(day)
    return library_covers(day.year) or day.year in complete_years


def library_covers(year: int) -> bool:
    """Whether the official calendar library has the State Council's days for ``year``."""
    return _library(date(year, 1, 1)) is not None


def library_is_business_day(day: date) -> bool | None:
    """What the library says of ``day`` (True = working day), or None for a year it lacks.

    An operator's entry that disagrees with this contradicts the library: it still wins.
    """
    _check_day(day)
    return _library(day)


def contradicts_library(day: date, is_working_day: bool) -> bool:
    """Whether entering ``day`` so disagrees with the library's official calendar for its year."""
    library = library_is_business_day(day)
    return library is not None and library != is_working_day


def add_business_days(day: date, n: int, overrides: Mapping[date, bool] | None = None) -> date:
    """The ``n``-th business day strictly after ``day`` (``day`` itself when ``n`` is 0)."""
    return due_date(day, n, overrides).date


def due_date(
    day: date,
    n: int,
    overrides: Mapping[date, bool] | None = None,
    *,
    complete_years: Collection[int] = _NO_YEARS,
) -> DueDate:
    """Like ``add_business_days``, flagged provisional if any day after ``day`` was a guess.

    ``complete_years`` are the years an operator marked complete (their official days all
    entered); the library's years are known without it.
    """
    _check_day(day)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}: {n!r}")
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    entered = overrides or {}
    provisional = False
    current = day
    remaining = n
    while remaining:
        current += _ONE_DAY
        working, known = _decide(current, entered, complete_years)
        provisional = provisional or not known
        if working:
            remaining -= 1
    return DueDate(current, provisional)


def _decide(
    day: date, overrides: Mapping[date, bool], complete_years: Collection[int]
) -> tuple[bool, bool]:
    """(is a working day, its year decided by trusted data)."""
    library = _library(day)
    known = library is not None or day.year in complete_years
    if day in overrides:
        return bool(overrides[day]), known
    if library is not None:
        return library, True
    return day.weekday() < 5, known


def _library(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the library has no data for
        return None


def _check_day(day: object) -> None:
    # A datetime would compare unequal to every override key and carry its own time zone's date.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(
            "day must be a date in Asia/Shanghai (e.g. timezone.localdate(instant)), "
            f"got {type(day).__name__}: {day!r}"
        )
