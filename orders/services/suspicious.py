"""Flagging suspicious view counts (DESIGN §5): stored as sent, but marked for finance.

A snapshot is suspicious when it is lower than an earlier one of the same video, or when it
jumps above ``SUSPICIOUS_JUMP_MULTIPLE`` times the previous count taken within an hour (the
previous count is taken as at least ``SUSPICIOUS_JUMP_FLOOR_VIEWS``, so a video's first hour
from zero is not a jump). Set-based: one statement per batch, whatever its size.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import DurationField

from ..models import SnapshotFlag, ViewSnapshot

JUMP_WITHIN = timedelta(hours=1)

# Each judged snapshot with what it is compared to, and its flag when a rule says so. Window
# functions over the batch's lines from an hour before its earliest instant give each snapshot's
# previous count (``LAG``) and the highest count since then. Before that, only a count above the
# line's lowest judged one can make any of them a decrease: one probe of the (line, views) index
# per line finds the highest such count, and reads no row at all when counts grow. ``{judged}``
# is the dialect's rows of the batch's lines from ``context`` on (a range scan of the (line,
# observed_at) index per line on PostgreSQL), ``{within}`` its "observed_at minus an hour".
FLAG = """
WITH judged AS (
    SELECT s.id, s.line_id, s.views, s.observed_at,
        MAX(s.views) OVER (
            PARTITION BY s.line_id ORDER BY s.observed_at
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS highest_since,
        LAG(s.views) OVER (PARTITION BY s.line_id ORDER BY s.observed_at) AS previous_views,
        LAG(s.observed_at) OVER (PARTITION BY s.line_id ORDER BY s.observed_at) AS previous_at
    FROM {judged}
),
before AS MATERIALIZED (
    SELECT l.line_id, (
        SELECT MAX(e.views) FROM {snapshot} e
        WHERE e.line_id = l.line_id AND e.views > l.lowest AND e.observed_at < %(context)s
    ) AS highest
    FROM (
        SELECT line_id, MIN(views) AS lowest FROM judged
        WHERE observed_at >= %(since)s GROUP BY line_id
    ) l
),
compared AS (
    SELECT j.id, j.line_id, j.views,
        CASE WHEN b.highest IS NULL OR j.highest_since > b.highest
            THEN j.highest_since ELSE b.highest END AS highest,
        CASE WHEN j.previous_at >= {within} THEN j.previous_views END AS previous
    FROM judged j JOIN before b ON b.line_id = j.line_id
    WHERE j.observed_at >= %(since)s
)
INSERT INTO {flag} (snapshot_id, line_id, reason, compared_views, flagged_at)
SELECT id, line_id,
    CASE WHEN highest > views THEN %(decrease)s ELSE %(jump)s END,
    CASE WHEN highest > views THEN highest ELSE previous END,
    %(now)s
FROM compared
WHERE highest > views OR (
    previous IS NOT NULL
    AND views > (CASE WHEN previous > %(floor)s THEN previous ELSE %(floor)s END) * %(multiple)s
)
ON CONFLICT (snapshot_id) DO NOTHING
"""


def flag_suspicious_snapshots(*, line_ids: Collection[int], since: datetime, now: datetime) -> int:
    """Flag the suspicious snapshots of a just-stored batch; returns how many were flagged.

    Called once per batch after its insert, with the lines it stored rows of and the earliest
    instant it stored. Every snapshot of those lines observed at or after that instant is judged
    again, since a late observation can make a stored later count a decrease. A snapshot is
    flagged at most once (a decrease before a jump). A batch in instant order reads two rows and
    probes one index entry per line.
    """
    line_ids = list(line_ids)
    if not line_ids:
        return 0
    if connection.vendor == "postgresql":
        # The ids as one array literal: psycopg's list dumper takes 10-30 ms for 10,000 of them.
        lines = "{" + ",".join(map(str, line_ids)) + "}"
        return _flag(
            _lateral("unnest(%(lines)s::bigint[]) AS l(line_id)"),
            {"lines": lines},
            since=since,
            now=now,
        )
    names = [f"line{n}" for n in range(len(line_ids))]
    judged = (
        f"{_snapshot_table()} s WHERE s.observed_at >= %(context)s "
        f"AND s.line_id IN ({', '.join(f'%({name})s' for name in names)})"
    )
    return _flag(judged, dict(zip(names, line_ids, strict=True)), since=since, now=now)


def _snapshot_table() -> str:
    return connection.ops.quote_name(ViewSnapshot._meta.db_table)


def _lateral(lines: str) -> str:
    """PostgreSQL's judged rows: a range scan of the (line, observed_at) index for each line of
    ``lines``, a FROM item ``l`` with a ``line_id`` column. ``OFFSET 0`` keeps the planner from
    flattening it into a join, which it plans as one scan of the whole index on ``observed_at``.
    """
    return (
        f"{lines} CROSS JOIN LATERAL (SELECT s.id, s.line_id, s.views, s.observed_at "
        f"FROM {_snapshot_table()} s "
        "WHERE s.line_id = l.line_id AND s.observed_at >= %(context)s OFFSET 0) s"
    )


def _flag(judged: str, params: dict[str, Any], *, since: datetime, now: datetime) -> int:
    """Run ``FLAG`` over ``judged``: the dialect's rows of the batch's lines from context on."""
    ops = connection.ops
    statement = FLAG.format(
        judged=judged,
        snapshot=_snapshot_table(),
        flag=ops.quote_name(SnapshotFlag._meta.db_table),
        within=ops.combine_duration_expression("-", ["j.observed_at", "%(within)s"]),
    )
    params = {
        **params,
        "context": ops.adapt_datetimefield_value(since - JUMP_WITHIN),
        "since": ops.adapt_datetimefield_value(since),
        "now": ops.adapt_datetimefield_value(now),
        "within": DurationField().get_db_prep_value(JUMP_WITHIN, connection),
        "decrease": SnapshotFlag.Reason.DECREASE.value,
        "jump": SnapshotFlag.Reason.JUMP.value,
        "floor": settings.SUSPICIOUS_JUMP_FLOOR_VIEWS,
        "multiple": float(settings.SUSPICIOUS_JUMP_MULTIPLE),
    }
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount
