"""The view curve a client's order page charts, sampled by the database."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from django.db import connection

from ..models import LIVE, Boost, VideoStatusEvent, ViewSnapshot

CHART_POINTS = 40
SECONDS_PER_DAY = 86400.0
# Seconds from the second instant to the first as a number, and the two-argument max and min, in
# each dialect the project runs on.
_DIALECTS = {
    "postgresql": ("date_part('epoch', {} - {})", "GREATEST", "LEAST"),
    "sqlite": ("((julianday({}) - julianday({})) * 86400.0)", "MAX", "MIN"),
}


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
    ids = ", ".join(["%s"] * len(published))
    params = [points, points, points - 1, points, connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        cursor.execute(
            _statement(connection.vendor).replace("{ids}", ids),
            [*params, *published, *published, *(status.value for status in LIVE)],
        )
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":  # its timestamps come back as text
        convert = connection.ops.convert_datetimefield_value  # type: ignore[attr-defined]
        rows = [(*row[:3], convert(row[3], None, connection)) for row in rows]
    found: dict[int, list[tuple[float, int]]] = {line_id: [] for line_id in published}
    latest: dict[int, tuple[datetime, int]] = {}
    for line_id, day, views, latest_at in rows:
        found[line_id].append((day, views))
        if latest_at is not None:
            latest[line_id] = (latest_at, views)
    return {line_id: ViewSeries(found[line_id], latest.get(line_id)) for line_id in published}


@cache
def _statement(vendor: str) -> str:
    """The downsampling statement in ``vendor``'s SQL, its line ids' placeholders left as ``{ids}``.

    Written out, not built by the ORM: Django took longer to compile its filter on a window
    function (two wrapping selects, every expression repeated) than the database to run it. The
    parameters, in order: points, points, points - 1, points, now, the line ids twice, then LIVE.
    """
    seconds, greatest, least = _DIALECTS[vendor]
    since_start = seconds.format("s.observed_at", "b.window_start")
    run = f"{greatest}({seconds.format(f'{least}(%s, b.window_end)', 'b.window_start')}, 1.0)"
    status_then = (
        f"(SELECT e.status FROM {VideoStatusEvent._meta.db_table} e"
        " WHERE e.line_id = s.line_id AND e.at <= s.observed_at ORDER BY e.at DESC LIMIT 1)"
    )
    live = ", ".join(["%s"] * len(LIVE))
    return (
        # The latest counted snapshot of all is the latest of the last non-empty bucket.
        "SELECT line_id, day, views, CASE WHEN next_bucket = %s THEN observed_at END"
        " FROM (SELECT line_id, observed_at, views, day, bucket,"
        # A snapshot is the latest of its bucket when the next one of its line is in a later
        # bucket (or there is none: then ``points``): one pass in (line, observed_at) order.
        " LEAD(bucket, 1, %s) OVER (PARTITION BY line_id ORDER BY observed_at) AS next_bucket"
        " FROM (SELECT s.line_id, s.observed_at, s.views,"
        f" {since_start} / {SECONDS_PER_DAY!r} AS day,"
        f" {greatest}(0, {least}(%s, FLOOR(({since_start} * %s) / {run}))) AS bucket"
        f" FROM {ViewSnapshot._meta.db_table} s"
        f" INNER JOIN {Boost._meta.db_table} b ON b.line_id = s.line_id"
        # Both ends of the join by the ids, so each table is read by its index at any size.
        " WHERE s.line_id IN ({ids}) AND b.line_id IN ({ids})"
        # The one rule for counted views (``counted_snapshots``): up to the window end, and only
        # while the latest status event is live (NULL: no event yet), spelled as what counts.
        f" AND s.observed_at <= b.window_end AND ({status_then} IS NULL OR {status_then}"
        f" IN ({live}))) counted) led"
        " WHERE next_bucket > bucket ORDER BY line_id, observed_at"
    )
