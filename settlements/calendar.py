"""Mainland China business days and settlement due dates (DESIGN.md §7).

A day is decided, in this order, by:

1. an operator override (``overrides[day]``: True = working day, False = holiday / day off);
2. the official calendar of the ``chinesecalendar`` library, which covers a fixed range of years
   (2004–2026 in 1.11.0) and raises ``NotImplementedError`` outside it;
3. a Monday–Friday fallback.

A year counts as *known* when the library covers it, or when the overrides hold at least one date
in that year. Operators enter only the exceptions of a new year (its holidays and make-up working
days), not every weekday, so once any day of a year is entered, the other days of that year follow
Monday–Friday and are trusted. A due date is *provisional* when any day examined to reach it (from
the day after the start to the result) lies in an unknown year; recompute provisional due dates
once days for that year are entered.

Pure rules: the caller passes the overrides (dates in Asia/Shanghai); this module never queries the
database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple

import chinese_calendar

_ONE_DAY = timedelta(days=1)


class DueDate(NamedTuple):
    date: date
    provisional: bool


def is_business_day(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    """Whether ``day`` is a working day: override, else the official calendar, else Mon–Fri."""
    _check_day(day)
    return _decide(day, overrides or {}, _override_years(overrides))[0]


def is_known(day: date, overrides: Mapping[date, bool] | None = None) -> bool:
    """Whether ``day`` is decided by trusted data rather than a guess (see the module docstring)."""
    _check_day(day)
    return _decide(day, overrides or {}, _override_years(overrides))[1]


def add_business_days(day: date, n: int, overrides: Mapping[date, bool] | None = None) -> date:
    """The ``n``-th business day strictly after ``day`` (``day`` itself when ``n`` is 0)."""
    return due_date(day, n, overrides).date


def due_date(day: date, n: int, overrides: Mapping[date, bool] | None = None) -> DueDate:
    """Like ``add_business_days``, flagged provisional if any day after ``day`` was a guess."""
    _check_day(day)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}: {n!r}")
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    entered = overrides or {}
    override_years = _override_years(overrides)
    provisional = False
    current = day
    remaining = n
    while remaining:
        current += _ONE_DAY
        working, known = _decide(current, entered, override_years)
        provisional = provisional or not known
        if working:
            remaining -= 1
    return DueDate(current, provisional)


def _decide(
    day: date, overrides: Mapping[date, bool], override_years: frozenset[int]
) -> tuple[bool, bool]:
    """(is a working day, decided by trusted data)."""
    if day in overrides:
        return bool(overrides[day]), True
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:  # a year the library has no data for
        return day.weekday() < 5, day.year in override_years


def _override_years(overrides: Mapping[date, bool] | None) -> frozenset[int]:
    return frozenset(d.year for d in overrides) if overrides else frozenset()


def _check_day(day: object) -> None:
    # A datetime would compare unequal to every override key and carry its own time zone's date.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(
            "day must be a date in Asia/Shanghai (e.g. timezone.localdate(instant)), "
            f"got {type(day).__name__}: {day!r}"
        )
