"""``manage.py import_video_statuses FILE.csv``: store video status changes from CSV (DESIGN §5).

The header names the columns ``video_id,status,at`` (in any order; others are ignored); ``status``
is one of live, removed_by_creator, private, taken_down, restored and ``at`` is ISO 8601 with a
UTC offset. Everything else works as ``import_views``: chunks all or nothing through
``services.record_video_statuses``, stored rows skipped, ``--dry-run`` stores nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.instants import parse_instant_text
from orders import services
from orders.services import OrderError, VideoStatusIn

from . import import_views

COLUMNS = ("video_id", "status", "at")


class Command(import_views.Command):
    help = "Import video status changes from a CSV file with the columns video_id,status,at."
    columns = COLUMNS
    stored_text = gettext_lazy(
        "Stored %(new)s new status event(s) from %(rows)s row(s) (%(old)s already stored)."
    )

    def parse_row(self, fields: tuple[str, ...]) -> VideoStatusIn:
        video_id, status, at = fields
        if not video_id:
            raise OrderError(_("video_id is empty."))
        return VideoStatusIn(video_id, status, parse_instant_text(at))

    def store(self, items: list, *, now: datetime) -> int:
        return services.record_video_statuses(items=items, now=now)
