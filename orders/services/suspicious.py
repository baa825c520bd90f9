"""Flagging suspicious view counts (DESIGN §5): stored as sent, but marked for finance.

A snapshot is suspicious when it is lower than an earlier one of the same video, or when it
jumps above ``SUSPICIOUS_JUMP_MULTIPLE`` times the previous count taken within an hour (the
previous count is taken as at least ``SUSPICIOUS_JUMP_FLOOR_VIEWS``, so a video's first hour
from zero is not a jump). Set-based: one pass per rule over the batch's lines, whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Greatest

from ..models import SnapshotFlag, ViewSnapshot

JUMP_WITHIN = timedelta(hours=1)


def flag_suspicious_snapshots(*, stored: Iterable[tuple[int, datetime]], now: datetime) -> int:
    """Flag the suspicious snapshots of a just-stored batch; returns how many were flagged.

    Called once per batch after its insert, with the (line, instant) of each row it stored. Every
    snapshot of those lines observed at or after the batch's earliest instant is judged again,
    since a late observation can make a stored later count a decrease. A snapshot is flagged at
    most once. Bounded work per judged row: the highest earlier count is one probe of the
    (line, views) index, the previous count one probe of the (line, instant) index; a batch in
    instant order judges only its own rows.
    """
    stored = list(stored)
    if not stored:
        return 0
    line_ids = {line_id for line_id, _at in stored}
    since = min(at for _line, at in stored)
    candidates = ViewSnapshot.objects.filter(
        line_id__in=line_ids, observed_at__gte=since, flag__isnull=True
    )
    earlier = ViewSnapshot.objects.filter(
        line=OuterRef("line"), observed_at__lt=OuterRef("observed_at")
    )
    higher = earlier.filter(views__gt=OuterRef("views")).order_by("-views")
    decreases = candidates.annotate(compared=Subquery(higher.values("views")[:1])).filter(
        compared__isnull=False
    )
    previous = earlier.filter(observed_at__gte=OuterRef("observed_at") - JUMP_WITHIN).order_by(
        "-observed_at"
    )
    base = Greatest(
        F("compared"), Value(settings.SUSPICIOUS_JUMP_FLOOR_VIEWS), output_field=FloatField()
    )
    jumps = (
        candidates.annotate(compared=Subquery(previous.values("views")[:1]))
        .filter(compared__isnull=False)
        .annotate(limit=Cast(base, FloatField()) * Value(float(settings.SUSPICIOUS_JUMP_MULTIPLE)))
        .filter(views__gt=F("limit"))
    )
    flags: dict[int, SnapshotFlag] = {}
    for reason, found in (
        (SnapshotFlag.Reason.DECREASE, decreases),
        (SnapshotFlag.Reason.JUMP, jumps),
    ):
        for pk, line_id, compared in found.values_list("pk", "line_id", "compared"):
            flags.setdefault(
                pk,
                SnapshotFlag(
                    snapshot_id=pk,
                    line_id=line_id,
                    reason=reason,
                    compared_views=compared,
                    flagged_at=now,
                ),
            )
    SnapshotFlag.objects.bulk_create(flags.values(), ignore_conflicts=True)
    return len(flags)
