"""Quarantined rows in the admin: a read-only list of what the sweeps could not process.

Only the sweeps write these rows (``settlements.services.quarantine``); operators read the error,
open the boost or settlement, fix the data, and the next run's retry resolves the row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orders.admin import ReadOnlyAdminMixin

from ..models import QuarantinedRow
from .base import local_time

OPEN, RESOLVED = "open", "resolved"


class StateFilter(admin.SimpleListFilter):
    """Open (still kept out of the sweep) or resolved; the work queue links to the open ones."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(OPEN, _("Open")), (RESOLVED, _("Resolved"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[QuarantinedRow]) -> QuerySet:
        if self.value() == OPEN:
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == RESOLVED:
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class QuarantinedRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What each sweep could not process, with its error; nothing is added, edited or deleted."""

    list_display = (
        "sweep",
        "object_link",
        "error_class",
        "error_message",
        "attempts",
        "first_failed",
        "last_failed",
        "resolved",
        "resolution",
    )
    list_filter = (StateFilter, "sweep")
    search_fields = ("=object_id", "error_message")
    search_help_text = _("Object id or error message")
    fields = list_display  # the form shows what the list does
    readonly_fields = fields

    @admin.display(description=_("object"), ordering="object_id")
    def object_link(self, row: QuarantinedRow) -> str:
        # Built from the stored label and id: the row itself may be what cannot be loaded.
        label = f"{row.object_model} #{row.object_id}"
        app_label, _dot, model_name = row.object_model.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[row.object_id])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("first failed at"), ordering="first_failed_at")
    def first_failed(self, row: QuarantinedRow) -> str:
        return local_time(row.first_failed_at)

    @admin.display(description=_("last failed at"), ordering="last_failed_at")
    def last_failed(self, row: QuarantinedRow) -> str:
        return local_time(row.last_failed_at)

    @admin.display(description=_("resolved at"), ordering="resolved_at")
    def resolved(self, row: QuarantinedRow) -> str:
        return local_time(row.resolved_at)
