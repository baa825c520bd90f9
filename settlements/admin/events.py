"""The settlement audit trail in the admin: a read-only list and the inline on a settlement."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orders.admin import ReadOnlyAdminMixin, ReadOnlyInline

from ..models import SettlementEvent
from .base import DASH, admin_link


def format_event_data(data: dict[str, Any]) -> str:
    """An event's details as ``key: value`` pairs, or a dash."""
    if not data:
        return DASH
    return ", ".join(f"{key}: {value}" for key, value in data.items())


class SettlementEventInline(ReadOnlyInline):
    """A settlement's audit trail, oldest first, on its change page."""

    model = SettlementEvent
    fields = ("at", "type", "actor_name", "details")
    readonly_fields = fields
    ordering = ("at", "id")
    show_change_link = False
    verbose_name_plural = _("audit trail")

    @admin.display(description=_("details"))
    def details(self, event: SettlementEvent) -> str:
        return format_event_data(event.data)


class SettlementEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only audit trail: nothing can be added, changed or deleted here."""

    list_display = ("at", "settlement_link", "type", "actor_name", "details")
    list_filter = ("type", ("at", admin.DateFieldListFilter))
    search_fields = ("settlement__boost__line__order__code", "actor_name")
    search_help_text = _("Order code or actor")
    list_select_related = ("settlement__boost__line__order",)
    fields = ("settlement_link", "type", "actor", "actor_name", "at", "details")
    readonly_fields = fields

    @admin.display(description=_("settlement"), ordering="settlement")
    def settlement_link(self, event: SettlementEvent) -> str:
        settlement = event.settlement
        return admin_link(settlement, f"#{settlement.pk} {settlement.boost.line.order.code}")

    @admin.display(description=_("details"))
    def details(self, event: SettlementEvent) -> str:
        return format_event_data(event.data)
