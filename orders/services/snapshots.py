"""Storing view snapshots from the platform's pipeline (DESIGN §5), a batch all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..models import OrderLine, ViewSnapshot
from .boosts import CLOCK_SKEW
from .errors import BatchRefused
from .suspicious import flag_suspicious_snapshots


@dataclass(frozen=True)
class SnapshotIn:
    """One observation from the platform's pipeline: a video's views at an instant."""

    video_id: str
    observed_at: datetime
    views: int


def record_views(*, items: Iterable[SnapshotIn], now: datetime) -> int:
    """Store a batch of view snapshots, all or nothing; returns how many were new.

    The same (video, instant, views) again is ignored; a different count for a stored
    (video, instant) is a conflict. Every item is checked before anything is written, including
    that it was observed between the order's placing and ``now`` (plus clock skew), so no stored
    instant is one the database cannot give back or a sweep cannot use.
    """
    items = list(items)
    errors: dict[int, str] = {}
    # Only ids and instants are needed: a batch of 10,000 would otherwise build 10,000 lines.
    rows = list(
        OrderLine.objects.filter(platform_video_id__in={i.video_id for i in items}).values_list(
            "platform_video_id", "pk", "order__placed_at"
        )
    )
    lines = {video: pk for video, pk, _placed in rows}
    placed = {video: at for video, _pk, at in rows}
    for n, item in enumerate(items):
        if item.video_id not in lines:
            errors[n] = _("Unknown video %(video)s.") % {"video": item.video_id}
        elif not isinstance(item.views, int) or isinstance(item.views, bool) or item.views < 0:
            errors[n] = _("Views must be a whole number ≥ 0.")
        elif item.observed_at > now + CLOCK_SKEW:
            errors[n] = _("The observation time %(at)s is in the future.") % {
                "at": item.observed_at
            }
        elif item.observed_at < placed[item.video_id]:
            errors[n] = _(
                "The observation time %(at)s is before the order was placed (%(placed)s)."
            ) % {
                "at": item.observed_at.isoformat(),
                "placed": timezone.localtime(placed[item.video_id]).isoformat(),
            }
    seen: dict[tuple[int, datetime], int] = {}
    for n, item in enumerate(items):
        if n in errors:
            continue
        key = (lines[item.video_id], item.observed_at)
        if seen.setdefault(key, item.views) != item.views:
            errors[n] = _("Two different counts for the same video and instant in one batch.")
    existing = selectors.stored_views({key for key in seen})
    conflicts = set()
    for n, item in enumerate(items):
        stored = (lines[item.video_id], item.observed_at) if item.video_id in lines else None
        if n not in errors and stored in existing and existing[stored] != item.views:
            errors[n] = _("Conflicts with the stored count %(views)s for this instant.") % {
                "views": existing[key]
            }
            conflicts.add(n)
    if errors:
        raise BatchRefused(errors, conflicts=conflicts)
    new = [
        ViewSnapshot(line_id=line_id, observed_at=at, views=views, received_at=now)
        for (line_id, at), views in seen.items()
        if (line_id, at) not in existing
    ]
    with transaction.atomic():
        ViewSnapshot.objects.bulk_create(new, ignore_conflicts=True)
        flag_suspicious_snapshots(line_ids={line_id for line_id, _at in seen}, now=now)
    return len(new)
