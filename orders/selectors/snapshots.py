"""The views a boost counts: snapshots up to window end, video status events, first flags."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Min, OuterRef, Q, QuerySet, Subquery

from ..models import LIVE, SnapshotFlag, VideoStatusEvent, ViewSnapshot


def counted_snapshots(line: Any, window_end: Any) -> QuerySet[ViewSnapshot]:
    """A line's snapshots that count toward its boost (DESIGN §5), latest first.

    Views count only up to the window end, and only while the video is live: a snapshot observed
    while the latest status event at or before it is not live (removed, private, taken down) does
    not count, so the count stays frozen at the last snapshot before the change until the video is
    restored. Pass ``OuterRef``s to use it as a subquery:
    ``Subquery(counted_snapshots(OuterRef("line"), OuterRef("window_end")).values("views")[:1])``.
    """
    status_then = VideoStatusEvent.objects.filter(
        line=OuterRef("line"), at__lte=OuterRef("observed_at")
    ).order_by("-at")
    return (
        ViewSnapshot.objects.filter(line=line, observed_at__lte=window_end)
        .alias(status_then=Subquery(status_then.values("status")[:1]))
        # Spelled as what counts, not ``exclude``: NOT IN would drop the NULL of "no event yet".
        .filter(Q(status_then__isnull=True) | Q(status_then__in=LIVE))
        .order_by("-observed_at")
    )


def status_events(line_ids: Iterable[int]) -> dict[int, list[VideoStatusEvent]]:
    """Each line's video status events, oldest first, in one query (none for no lines)."""
    found: dict[int, list[VideoStatusEvent]] = defaultdict(list)
    line_ids = list(line_ids)
    if not line_ids:
        return found
    for event in VideoStatusEvent.objects.filter(line_id__in=line_ids).order_by("at"):
        found[event.line_id].append(event)
    return found


def first_flagged(line_ids: Iterable[int]) -> dict[int, datetime]:
    """When the earliest flagged snapshot of each of ``line_ids`` with one was observed."""
    rows = (
        SnapshotFlag.objects.filter(line_id__in=list(line_ids))
        .values("line_id")
        .annotate(first=Min("snapshot__observed_at"))
        .values_list("line_id", "first")
    )
    return dict(rows)


def stored_views(keys: Iterable[tuple[int, datetime]]) -> dict[tuple[int, datetime], int]:
    """The stored view counts for the given (order line id, observed_at) pairs."""
    keys = set(keys)
    if not keys:
        return {}
    rows = ViewSnapshot.objects.filter(
        line_id__in={line_id for line_id, _ in keys},
        observed_at__in={at for _, at in keys},
    ).values_list("line_id", "observed_at", "views")
    return {(line_id, at): views for line_id, at, views in rows if (line_id, at) in keys}
