"""Compaction: view snapshots of settled boosts thinned to one a day once they are old (§5, §8).

Snapshots are the table that grows without bound: 336 a boost at hourly data. Once a boost's
settlement is final (paid, or closed with nothing to pay) and its snapshots are older than
``SNAPSHOT_COMPACTION_DAYS``, nobody needs them hour by hour: each line keeps the last snapshot
of each Shanghai day, so a chart of the line still has its curve. Never removed, whatever their
age: the closing snapshot (the latest one counted at the window end, ``counted_snapshots``) and
every snapshot a settlement references (``Settlement.snapshot``), so a settlement still explains
itself from the rows it was computed from.

Batched by order line in id order, one ``DELETE`` per batch in its own transaction; running it
twice, or concurrently, removes nothing more the second time (a day's last snapshot stays its last).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from orders.models import OrderLine, ViewSnapshot
from orders.selectors import counted_snapshots

from ..models import Settlement

# Final settlements: nothing can change their outcome any more.
FINAL = (Settlement.Status.PAID, Settlement.Status.CLOSED)
DAY = timedelta(days=1)


def compaction_cutoff(now: datetime) -> datetime:
    """The start of the Shanghai day ``SNAPSHOT_COMPACTION_DAYS`` before ``now``: snapshots
    observed before it may be thinned. A whole day, so no day is ever half compacted."""
    local = timezone.localtime(now) - timedelta(days=settings.SNAPSHOT_COMPACTION_DAYS)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def removable(lines: list[int], *, cutoff: datetime):
    """The snapshots of ``lines`` that compaction removes: observed before ``cutoff``, followed
    by another snapshot of the line on the same Shanghai day, and neither the closing snapshot
    nor referenced by a settlement."""
    # Compared as Shanghai dates (on SQLite a truncated instant is local wall time, not UTC); the
    # range bound keeps the look-up on the (line, observed_at) index.
    day = TruncDate("observed_at", tzinfo=timezone.get_current_timezone())
    # ``line_id__in`` again: the planner may then hash the batch's rows, never the whole table.
    later_that_day = ViewSnapshot.objects.annotate(day=day).filter(
        line_id__in=lines,
        line_id=OuterRef("line_id"),
        observed_at__gt=OuterRef("observed_at"),
        observed_at__lt=OuterRef("day_limit"),
        day=OuterRef("day"),
    )
    # Each line's closing snapshot, looked up once per line: as a subquery of every candidate
    # row it was once per row, and a plan that sorted each line's snapshots for each of them
    # made a batch 13 times slower.
    closing = (
        OrderLine.objects.filter(pk__in=lines)
        .annotate(
            closing_id=Subquery(
                counted_snapshots(OuterRef("pk"), OuterRef("boost__window_end")).values("pk")[:1]
            )
        )
        # NOT IN over a NULL would keep every row: a line with no closing snapshot has none.
        .filter(closing_id__isnull=False)
        .values("closing_id")
    )
    return (
        ViewSnapshot.objects.filter(line_id__in=lines, observed_at__lt=cutoff)
        .annotate(
            day=day,
            day_limit=ExpressionWrapper(F("observed_at") + DAY, output_field=DateTimeField()),
        )
        .filter(Exists(later_that_day))
        .exclude(pk__in=closing)
        .exclude(Exists(Settlement.objects.filter(snapshot_id=OuterRef("pk"))))
        .order_by()
    )


def settled_lines(*, after_id: int, limit: int) -> list[int]:
    """The next ``limit`` order lines (in id order after ``after_id``) whose boost's settlement
    is final."""
    return list(
        OrderLine.objects.filter(Q(boost__settlement__status__in=FINAL), pk__gt=after_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def compact_batch(*, now: datetime, after_id: int, limit: int) -> tuple[int, int]:
    """Compact the next ``limit`` settled lines after ``after_id`` in one transaction; returns
    the last line id seen (0 when none was left) and how many snapshots were removed."""
    lines = settled_lines(after_id=after_id, limit=limit)
    if not lines:
        return 0, 0
    victims = removable(lines, cutoff=compaction_cutoff(now)).values("pk")
    select, params = victims.query.sql_with_params()
    table = connection.ops.quote_name(ViewSnapshot._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        # One set-based statement: QuerySet.delete() would load every row to collect relations.
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({select})", params)
        return lines[-1], cursor.rowcount


def compact_snapshots(*, now: datetime, limit: int = 200) -> dict[str, int]:
    """Compact the snapshots of every settled line, batch by batch; returns the counts."""
    after_id = batches = removed = 0
    while True:
        after_id, deleted = compact_batch(now=now, after_id=after_id, limit=limit)
        if not after_id:
            return {"batches": batches, "removed": removed}
        batches, removed = batches + 1, removed + deleted
