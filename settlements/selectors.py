"""Read queries for settlements and the official calendar; no writes here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .models import CalendarDay


def calendar_overrides(years: Iterable[int] | None = None) -> dict[date, bool]:
    """Operator-entered official days (True = working day), optionally for some years only."""
    days = CalendarDay.objects.all()
    if years is not None:
        days = days.filter(date__year__in=list(years))
    return dict(days.values_list("date", "is_working_day"))
