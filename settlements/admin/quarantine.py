"""Quarantined rows in the admin: a read-only list of what the sweeps could not process.

Only the sweeps write these rows (``settlements.services.quarantine``); operators read the error,
open the boost or settlement, fix the data, and the next run's retry resolves the row.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orders.admin import ReadOnlyAdminMixin
from orders.admin.base import ConditionFilter, column

from ..models import QuarantinedRow
from .base import local_time

OPEN, RESOLVED = "open", "resolved"


class StateFilter(ConditionFilter):
    """Open (still kept out of the sweep) or resolved; the work queue links to the open ones."""

    title = _("state")
    parameter_name = "state"
    conditions = {
        OPEN: (_("Open"), Q(resolved_at__isnull=True)),
        RESOLVED: (_("Resolved"), Q(resolved_at__isnull=False)),
    }


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

    first_failed = column(_("first failed at"), "first_failed_at", local_time)
    last_failed = column(_("last failed at"), "last_failed_at", local_time)
    resolved = column(_("resolved at"), "resolved_at", local_time)
