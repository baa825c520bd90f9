"""Storing video status changes from the platform's pipeline (DESIGN §5), a batch all or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import OrderLine, VideoStatus, VideoStatusEvent
from .boosts import CLOCK_SKEW
from .errors import BatchRefused


@dataclass(frozen=True)
class VideoStatusIn:
    """One status change from the pipeline: a published video became ``status`` at ``at``."""

    video_id: str
    status: str
    at: datetime


def record_video_statuses(*, items: Iterable[VideoStatusIn], now: datetime) -> int:
    """Store a batch of video status events, all or nothing; returns how many were new.

    Every item is checked before anything is written: a known published video, a known status, an
    instant between the video's publish and ``now`` (plus clock skew). The same (video, instant,
    status) again is ignored; another status for a stored (video, instant) is a conflict.
    """
    items = list(items)
    rows = OrderLine.objects.filter(
        platform_video_id__in={i.video_id for i in items}, published_at__isnull=False
    ).values_list("platform_video_id", "pk", "published_at")
    lines: dict[str, tuple[int, datetime]] = {
        video: (pk, published)
        for video, pk, published in rows
        if video is not None and published is not None
    }
    errors: dict[int, str] = {}
    seen: dict[tuple[int, datetime], str] = {}
    for n, item in enumerate(items):
        line = lines.get(item.video_id)
        if line is None:
            errors[n] = _("Unknown or unpublished video %(video)s.") % {"video": item.video_id}
        elif item.status not in VideoStatus.values:
            errors[n] = _("Unknown status “%(status)s”; one of %(statuses)s.") % {
                "status": item.status,
                "statuses": ", ".join(VideoStatus.values),
            }
        elif item.at > now + CLOCK_SKEW:
            errors[n] = _("The status time %(at)s is in the future.") % {"at": item.at.isoformat()}
        elif item.at < line[1]:
            errors[n] = _("The status time %(at)s is before the video was published (%(p)s).") % {
                "at": item.at.isoformat(),
                "p": timezone.localtime(line[1]).isoformat(),
            }
        elif seen.setdefault((line[0], item.at), item.status) != item.status:
            errors[n] = _("Two different statuses for the same video and instant in one batch.")
    stored = {
        (line_id, at): status
        for line_id, at, status in VideoStatusEvent.objects.filter(
            line_id__in={line_id for line_id, _at in seen}, at__in={at for _l, at in seen}
        ).values_list("line_id", "at", "status")
    }
    conflicts = set()
    for n, item in enumerate(items):
        if n in errors:
            continue
        key = (lines[item.video_id][0], item.at)
        if key in stored and stored[key] != item.status:
            errors[n] = _("Conflicts with the stored status “%(status)s” for this instant.") % {
                "status": stored[key]
            }
            conflicts.add(n)
    if errors:
        raise BatchRefused(errors, conflicts=conflicts)
    new = [
        VideoStatusEvent(line_id=line_id, at=at, status=status, received_at=now)
        for (line_id, at), status in seen.items()
        if (line_id, at) not in stored
    ]
    with transaction.atomic():
        VideoStatusEvent.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
