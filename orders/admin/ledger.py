"""The append-only ledger in the admin (DESIGN §8): every entry viewable, none editable."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.paging import LargeTableAdmin

from ..ledger_reasons import ledger_reason
from ..models import Boost, Order
from .base import ReadOnlyAdminMixin, change_url, link, or_empty


class LedgerEntryAdmin(LargeTableAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only ledger (DESIGN §8): viewable, never added, edited or deleted here."""

    list_display = [
        "created_at",
        "client",
        "kind",
        "amount",
        "balance_after",
        "reference",
        "created_by",
        "reason_text",
    ]
    list_select_related = ["client", "order", "created_by"]
    # A date range, not the date hierarchy, which would read every entry's date to list its years.
    list_filter = ["kind", "client", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["client__name", "client__code", "order__code", "reason", "idempotency_key"]
    fields = [
        "created_at",
        "client",
        "kind",
        "amount",
        "balance_after",
        "order",
        "boost",
        "reason_text",
        "created_by",
        "idempotency_key",
    ]
    readonly_fields = ["reason_text"]

    @admin.display(description=_("reason"), ordering="reason")
    def reason_text(self, entry):
        return ledger_reason(entry.reason)

    @admin.display(description=_("reference"))
    def reference(self, entry):
        parts = []
        if entry.order_id:
            parts.append(link(change_url(Order, entry.order_id), entry.order.code))
        if entry.boost_id:
            parts.append(
                link(
                    change_url(Boost, entry.boost_id),
                    gettext("boost #%(id)s") % {"id": entry.boost_id},
                )
            )
        return or_empty(format_html_join(" · ", "{}", ((part,) for part in parts)))
