"""Periods, week/month buckets and premium-ratio bands: the pure calendar maths of the insights.

Dates are calendar dates in Asia/Shanghai. No models and no queries: ``Period.contains`` only
builds the range filter a query applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

WEEK, MONTH = "week", "month"
GRANULARITIES = {WEEK: _("Week"), MONTH: _("Month")}


def local_zone() -> ZoneInfo:
    """The project time zone (Asia/Shanghai), in which every period and bucket is counted."""
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    """Calendar dates in Asia/Shanghai, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period starts after it ends: {self.start} > {self.end}")

    @classmethod
    def last_days(cls, today: date, days: int = 90) -> Period:
        """The ``days`` days ending with ``today``."""
        return cls(today - timedelta(days=days - 1), today)

    def instants(self) -> tuple[datetime, datetime]:
        """``[start 00:00, day after end 00:00)`` as aware instants, for indexed range filters."""
        zone = local_zone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def contains(self, field_name: str) -> Q:
        """The filter "``field_name`` lies in the period", on an instant column."""
        start, end = self.instants()
        return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def bucket_start(day: date, granularity: str) -> date:
    """The Monday of ``day``'s week, or the first of its month."""
    if granularity == WEEK:
        return day - timedelta(days=day.weekday())
    if granularity == MONTH:
        return day.replace(day=1)
    raise ValueError(f"unknown granularity {granularity!r}")


def buckets(period: Period, granularity: str) -> list[date]:
    """Every bucket that overlaps the period, in order, including empty ones."""
    starts, current = [], bucket_start(period.start, granularity)
    while current <= period.end:
        starts.append(current)
        if granularity == WEEK:
            current += timedelta(days=7)
        else:
            current = (current + timedelta(days=32)).replace(day=1)
    return starts


def bucket_label(start: date, granularity: str) -> str:
    """``2026-03-09`` for the week from that Monday, ``2026-03`` for a month."""
    return start.isoformat() if granularity == WEEK else f"{start:%Y-%m}"


@dataclass(frozen=True)
class Band:
    """A range of premium ratios, both ends included (ratios are whole percents)."""

    key: str
    low: Decimal
    high: Decimal

    @property
    def label(self) -> str:
        return f"{self.low * 100:.0f}–{self.high * 100:.0f} %"

    def contains(self, premium_ratio: Decimal) -> bool:
        return self.low <= premium_ratio <= self.high


BANDS = (
    Band("10-19", Decimal("0.10"), Decimal("0.19")),
    Band("20-29", Decimal("0.20"), Decimal("0.29")),
    Band("30-39", Decimal("0.30"), Decimal("0.39")),
    Band("40-50", Decimal("0.40"), Decimal("0.50")),
)
OUTSIDE_BANDS = "other"


def band_for(premium_ratio: Decimal) -> str:
    """The key of the band holding ``premium_ratio``, or ``OUTSIDE_BANDS``."""
    for band in BANDS:
        if band.contains(premium_ratio):
            return band.key
    return OUTSIDE_BANDS
