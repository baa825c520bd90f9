"""View snapshots in the admin: every count the pipeline sent, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kernel.paging import LargeTableAdmin

from .base import ReadOnlyAdminMixin


class ViewSnapshotAdmin(LargeTableAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Snapshots are stored by ``services.record_views`` and never edited (append, never edit)."""

    list_display = ["observed_at", "video_id", "order_code", "influencer", "views", "received_at"]
    list_select_related = ["line__order", "line__influencer"]
    # Newest first on the primary key: the model's (line, observed_at) order sorts by each line's
    # own order, a join over every snapshot. A date range, not the date hierarchy, which would read
    # every snapshot's date to list its years.
    ordering = ["-id"]
    list_filter = ["line__boost__status", ("observed_at", admin.DateFieldListFilter)]
    search_fields = ["line__platform_video_id", "line__order__code", "line__influencer__name"]

    @admin.display(description=_("platform video id"), ordering="line__platform_video_id")
    def video_id(self, snapshot):
        return snapshot.line.platform_video_id

    @admin.display(description=_("order"), ordering="line__order__code")
    def order_code(self, snapshot):
        return snapshot.line.order.code

    @admin.display(description=_("influencer"))
    def influencer(self, snapshot):
        return snapshot.line.influencer
