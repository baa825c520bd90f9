"""The book: the guarantee as an insurer's book, day by day (DESIGN §4b, §6).

For each day of a period, as of the end of that day (Asia/Shanghai; now for today):

* **open exposure**: Σ F of the boosts awaiting publish, active or awaiting views, the most the
  platform can still pay on them (a refund or a capped compensation is at most F);
* **expected payout**: Σ the compensation (DESIGN §6) each active or awaiting-views boost would
  owe if its video ends at its day-14 projection (``orders.projection``, the client card's), from
  the snapshots counted by then; a boost with too few snapshots to project is counted apart;
* **unearned fees**: F of each boost awaiting publish, and of each active one the share of its
  window still to run, (window end − t) ÷ 14 days: its cover not yet given;
* **realized loss ratio to date**: Σ compensation ÷ Σ F over every window settled up to then.

A boost's status at an instant is that of its latest audit event (``BoostEvent``) by then.
Four queries whatever the period: boosts, their events, their snapshots, the settled windows.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q
from django.utils import timezone

from kernel.money import ZERO, half_up
from orders.models import Boost, BoostEvent, BoostStatus, ViewSnapshot
from orders.projection import SECONDS_PER_DAY, WINDOW_DAYS, project_views

from ..calculations import compensation
from ..models import Settlement
from .figures import ratio, round_ratio
from .periods import Period

OPEN = (BoostStatus.AWAITING_PUBLISH, BoostStatus.ACTIVE, BoostStatus.AWAITING_VIEWS)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class BookDay:
    """The book at the end of ``day``."""

    day: str
    open_boosts: int
    open_exposure: Decimal
    active_boosts: int
    expected_payout: Decimal
    unprojected: int
    unearned_fees: Decimal
    settled_fees: Decimal
    settled_compensation: Decimal
    loss_ratio: Decimal | None


@dataclass(frozen=True)
class _Boost:
    fee: Decimal
    fixed_price: Decimal
    expected_views: int
    line_id: int
    window_start: datetime | None
    window_end: datetime | None
    changes: list[tuple[datetime, str]]  # (at, to status), in order

    def status_at(self, instant: datetime) -> str | None:
        """Its status then; None before it was ordered."""
        index = bisect.bisect_right([at for at, _status in self.changes], instant)
        return self.changes[index - 1][1] if index else None


def book(*, period: Period, now: datetime) -> list[BookDay]:
    """The book at the end of every day of ``period`` (today: as of ``now``; no future days)."""
    start, end = period.instants()
    boosts = _boosts(start, min(end, now))
    snapshots = _snapshots(boosts, min(end, now))
    settled = list(
        Settlement.objects.filter(kind__in=Settlement.WINDOW_KINDS, computed_at__lt=end)
        .order_by("computed_at", "pk")
        .values_list("computed_at", "boost_fee", "amount")
    )
    last = min(period.end, timezone.localdate(now))
    days = [period.start + timedelta(days=n) for n in range((last - period.start).days + 1)]
    return [
        _book_day(str(day), min(Period(day, day).instants()[1], now), boosts, snapshots, settled)
        for day in days
    ]


def _book_day(
    label: str,
    instant: datetime,
    boosts: list[_Boost],
    snapshots: dict[int, list[tuple[datetime, int]]],
    settled: list[tuple[datetime, Decimal, Decimal]],
) -> BookDay:
    open_boosts = active = unprojected = 0
    exposure = expected = ZERO
    unearned = Fraction(0)
    for boost in boosts:
        status = boost.status_at(instant)
        if status not in OPEN:
            continue
        open_boosts += 1
        exposure += boost.fee
        if status == BoostStatus.AWAITING_PUBLISH or boost.window_start is None:
            unearned += Fraction(boost.fee)
            continue
        assert boost.window_end is not None  # a published boost has its window
        active += 1
        left = Fraction(
            (boost.window_end - instant) // MICROSECOND,
            (boost.window_end - boost.window_start) // MICROSECOND,
        )
        unearned += Fraction(boost.fee) * min(max(left, Fraction(0)), Fraction(1))
        until = min(instant, boost.window_end)
        points = [
            ((at - boost.window_start).total_seconds() / SECONDS_PER_DAY, views)
            for at, views in snapshots.get(boost.line_id, ())
            if at <= until
        ]
        projection = project_views(points, horizon_days=WINDOW_DAYS)
        if projection is None:
            unprojected += 1
            continue
        expected += compensation(
            boost.expected_views, projection.views, boost.fixed_price, boost.fee
        )
    count = bisect.bisect_right([at for at, _fee, _amount in settled], instant)
    fees = sum((fee for _at, fee, _amount in settled[:count]), ZERO)
    paid = sum((amount for _at, _fee, amount in settled[:count]), ZERO)
    return BookDay(
        day=label,
        open_boosts=open_boosts,
        open_exposure=exposure,
        active_boosts=active,
        expected_payout=expected,
        unprojected=unprojected,
        unearned_fees=half_up(unearned),
        settled_fees=fees,
        settled_compensation=paid,
        loss_ratio=round_ratio(ratio(paid, fees)),
    )


def _boosts(start: datetime, end: datetime) -> list[_Boost]:
    """The boosts ordered before ``end`` and not ended before ``start``, with their events."""
    rows = list(
        Boost.objects.filter(quoted_at__lt=end)
        .exclude(Q(status__in=Boost.TERMINAL) & Q(status_changed_at__lt=start))
        .order_by("pk")
        .values_list(
            "pk",
            "boost_fee",
            "line__fixed_price",
            "expected_views",
            "line_id",
            "window_start",
            "window_end",
        )
    )
    changes: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for boost_id, at, status in (
        BoostEvent.objects.filter(boost_id__in=[row[0] for row in rows], at__lt=end)
        .order_by("at", "pk")
        .values_list("boost_id", "at", "to_status")
    ):
        changes[boost_id].append((at, status))
    return [_Boost(*row[1:], changes=changes[row[0]]) for row in rows]


def _snapshots(boosts: list[_Boost], end: datetime) -> dict[int, list[tuple[datetime, int]]]:
    lines = [b.line_id for b in boosts if b.window_start is not None]
    series: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for line_id, at, views in (
        ViewSnapshot.objects.filter(line_id__in=lines, observed_at__lt=end)
        .order_by("observed_at", "pk")
        .values_list("line_id", "observed_at", "views")
    ):
        series[line_id].append((at, views))
    return series
