"""The view curve a client's order page charts, sampled by the database."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Case, F, FloatField, Func, IntegerField, Value, When, Window
from django.db.models.functions import Floor, Greatest, Lead, Least

from ..models import Boost
from .snapshots import counted_snapshots

CHART_POINTS = 40
SECONDS_PER_DAY = 86400.0
INT = IntegerField()


@dataclasses.dataclass(frozen=True)
class ViewSeries:
    """A published boost's counted views, as its chart draws them (DESIGN §5).

    ``points`` are ``(days since publish, views)``, oldest first, at most ``CHART_POINTS``;
    ``latest`` is the latest counted snapshot ``(observed_at, views)`` exactly, None before any.
    """

    points: list[tuple[float, int]]
    latest: tuple[datetime, int] | None


def chart_series(
    boosts: Iterable[Boost], *, now: datetime, points: int = CHART_POINTS
) -> dict[int, ViewSeries]:
    """Each published boost's counted views as of ``now``, at most ``points`` a line, in one query.

    Keyed by line id. The part of the window run by ``now`` (all of it once over) is cut into
    ``points`` equal time buckets and the latest counted snapshot of each is kept, chosen in SQL
    with a window function: a page never loads a video's whole history, and a boost a few hours old
    still has every hourly point. The latest counted snapshot of all, the one a card shows, is the
    latest of the last non-empty bucket: it is always there, exactly. Snapshots before publish fall
    into the first bucket, later ones into the last. Times come back as days (a float) except for
    that latest one: parsing thousands of timestamps would cost more than the query.
    """
    published = [boost.line_id for boost in boosts if boost.window_start is not None]
    if not published:
        return {}
    start, end = F("line__boost__window_start"), F("line__boost__window_end")
    run = Greatest(_Seconds(Least(Value(now), end), start), Value(1.0))  # never a zero divisor
    share = _Seconds(F("observed_at"), start) * points / run
    bucket = Greatest(
        Value(0), Least(Value(points - 1), Floor(share), output_field=INT), output_field=INT
    )
    # A snapshot is the latest of its bucket when the next one of its line is in a later bucket
    # (or there is none: then ``points``): one pass in (line, observed_at) order, the index's.
    next_bucket = Window(
        Lead(F("bucket"), default=Value(points)),
        partition_by=[F("line_id")],
        order_by=F("observed_at").asc(),
    )
    rows = (
        # The one rule for counted views, for all the lines at once: each row's own line and end.
        counted_snapshots(F("line"), end)
        # Both ends of the join by the ids, so each table is read by its index at any size.
        .filter(line_id__in=published, line__boost__line_id__in=published)
        .annotate(
            bucket=bucket,
            next_bucket=next_bucket,
            day=_Seconds(F("observed_at"), start) / SECONDS_PER_DAY,
            latest_at=Case(When(next_bucket=points, then=F("observed_at"))),
        )
        .filter(next_bucket__gt=F("bucket"))
        .order_by("line_id", "observed_at")
        .values_list("line_id", "day", "views", "latest_at")
    )
    found: dict[int, list[tuple[float, int]]] = {line_id: [] for line_id in published}
    latest: dict[int, tuple[datetime, int]] = {}
    for line_id, day, views, latest_at in rows:
        found[line_id].append((day, views))
        if latest_at is not None:
            latest[line_id] = (latest_at, views)
    return {line_id: ViewSeries(found[line_id], latest.get(line_id)) for line_id in published}


class _Seconds(Func):
    """Seconds from the second instant to the first, as a number, on PostgreSQL and SQLite."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="date_part('epoch', %(expressions)s)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )
