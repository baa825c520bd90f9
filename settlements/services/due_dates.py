"""Settlement due dates: the 7th business day after service end, counted once per day (§7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from .. import calendar
from ..selectors import calendar_overrides, completed_calendar_years


def due_dates(instants: Sequence[datetime]) -> dict[date, calendar.DueDate]:
    """Due date by service-end date: the 7th business day after it, in Asia/Shanghai (§7).

    A batch has few distinct end dates, so each is counted once, with two calendar queries.
    """
    days = {timezone.localdate(at) for at in instants}
    years = {day.year for day in days}
    overrides = calendar_overrides(years | {year + 1 for year in years})
    complete = completed_calendar_years()
    n = settings.SETTLEMENT_DUE_BUSINESS_DAYS
    return {day: calendar.due_date(day, n, overrides, complete_years=complete) for day in days}
