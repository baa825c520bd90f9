"""Admin for sweep heartbeats: a read-only list with filters (rows are written by the worker)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .access import can_see_sweeps
from .models import SweepRun


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    list_display = ("task_name", "started_at", "finished_at", "duration", "succeeded", "counts")
    list_filter = ("task_name", "succeeded", ("started_at", admin.DateFieldListFilter))
    search_fields = ("task_id", "error")
    date_hierarchy = "started_at"
    fieldsets = (
        (None, {"fields": ("task_name", "task_id", "succeeded", "counts")}),
        (_("Time"), {"fields": ("started_at", "finished_at", "duration")}),
        (_("Error"), {"fields": ("error",)}),
    )
    readonly_fields = (
        "task_name",
        "task_id",
        "succeeded",
        "counts",
        "started_at",
        "finished_at",
        "duration",
        "error",
    )

    @admin.display(description=_("duration"))
    def duration(self, run: SweepRun) -> str:
        if run.finished_at is None:
            return "—"
        return f"{(run.finished_at - run.started_at).total_seconds():.1f} s"

    # operations.access: both staff groups see them through their settlement permission.
    def has_view_permission(self, request: HttpRequest, obj: SweepRun | None = None) -> bool:
        return can_see_sweeps(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_see_sweeps(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SweepRun | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SweepRun | None = None) -> bool:
        return False
