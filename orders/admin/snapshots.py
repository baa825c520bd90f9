"""The pipeline's facts in the admin, read-only: view snapshots, the flagged ones, and video
status events (also inline on their order line)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kernel.display import grouped
from kernel.paging import LargeTableAdmin

from ..models import OrderLine, VideoStatusEvent
from .base import ReadOnlyAdminMixin, ReadOnlyInline, change_url, link


class LineColumns:
    """The columns of a row recorded against an order line's video: the video (linked to its
    line), the order and the influencer, each searchable."""

    search_fields = ["line__platform_video_id", "line__order__code", "line__influencer__name"]

    @admin.display(description=_("platform video id"), ordering="line__platform_video_id")
    def video_id(self, row):
        return link(change_url(OrderLine, row.line_id), row.line.platform_video_id)

    @admin.display(description=_("order"), ordering="line__order__code")
    def order_code(self, row):
        return row.line.order.code

    @admin.display(description=_("influencer"))
    def influencer(self, row):
        return row.line.influencer


class ViewSnapshotAdmin(LineColumns, LargeTableAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Snapshots are stored by ``services.record_views`` and never edited (append, never edit)."""

    list_display = ["observed_at", "video_id", "order_code", "influencer", "views", "received_at"]
    list_select_related = ["line__order", "line__influencer"]
    # Newest first on the primary key: the model's (line, observed_at) order sorts by each line's
    # own order, a join over every snapshot. A date range, not the date hierarchy, which would read
    # every snapshot's date to list its years.
    ordering = ["-id"]
    list_filter = ["line__boost__status", ("observed_at", admin.DateFieldListFilter)]

    @admin.display(description=_("platform video id"), ordering="line__platform_video_id")
    def video_id(self, snapshot):
        return snapshot.line.platform_video_id


class VideoStatusEventInline(ReadOnlyInline):
    """An order line's video status history (DESIGN §5), oldest first."""

    model = VideoStatusEvent
    fields = ["at", "status", "received_at"]
    readonly_fields = fields
    ordering = ["at"]
    show_change_link = False


class VideoStatusEventAdmin(LineColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Video status changes from ``POST /api/videos`` and ``import_video_statuses``, read-only."""

    list_display = ["at", "video_id", "order_code", "influencer", "status", "received_at"]
    list_select_related = ["line__order", "line__influencer"]
    list_filter = ["status"]
    date_hierarchy = "at"


class SnapshotFlagAdmin(LineColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Suspicious counts: stored as sent, flagged, and their boost's payout held for finance."""

    list_display = [
        "flagged_at",
        "video_id",
        "order_code",
        "observed_at",
        "views",
        "compared",
        "reason",
    ]
    list_select_related = ["snapshot", "line__order"]
    list_filter = ["reason", "line__boost__status"]
    date_hierarchy = "flagged_at"

    @admin.display(description=_("observed at"), ordering="snapshot__observed_at")
    def observed_at(self, flag):
        return flag.snapshot.observed_at

    @admin.display(description=_("views"))
    def views(self, flag):
        return grouped(flag.snapshot.views)

    @admin.display(description=_("earlier views"))
    def compared(self, flag):
        return grouped(flag.compared_views)
