"""The settlement audit trail in the admin: a read-only list and the inline on a settlement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kernel.display import yuan
from orders.admin import ReadOnlyAdminMixin

from ..models import SettlementEvent, SettlementKind
from .base import DASH, AuditTrailInline, admin_link


def _day(value: str) -> str:
    return date_format(date.fromisoformat(value), "Y-m-d")


def _yes_no(value: Any) -> str:
    return gettext("yes") if value else gettext("no")


# What each key an event stores reads as, and how its value is worded; unknown keys stay as stored.
_FIELDS: dict[str, tuple[Any, Callable[[Any], str]]] = {
    "kind": (
        _("kind"),
        lambda v: str(SettlementKind(v).label if v in SettlementKind.values else v),
    ),
    "amount": (_("amount"), lambda v: yuan(Decimal(v))),
    "due_date": (_("due date"), _day),
    "from": (pgettext_lazy("due date changed", "from"), _day),
    "to": (pgettext_lazy("due date changed", "to"), _day),
    "provisional": (_("provisional"), _yes_no),
    "reason": (_("reason"), str),
    "adjustment": (_("adjustment"), lambda v: f"#{v}"),
    "ledger_entry": (_("ledger entry"), lambda v: f"#{v}"),
}


def format_event_data(data: dict[str, Any]) -> str:
    """An event's details in words in the reader's language (``类型：赔付，金额：¥1,131.63``)."""
    if not data:
        return DASH
    parts = []
    for key, value in data.items():
        label, word = _FIELDS.get(key, (key, str))
        shown = DASH if value is None or value == "" else word(value)
        parts.append(gettext("%(label)s: %(value)s") % {"label": label, "value": shown})
    return pgettext("between details of an event", ", ").join(parts)


class SettlementEventInline(AuditTrailInline):
    """A settlement's audit trail on its change page."""

    model = SettlementEvent
    fields = ("at", "type", "actor_name", "details")
    readonly_fields = fields

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
