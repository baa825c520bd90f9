"""Corrections in the admin: the request form, the inline on a settlement, and the four-eyes list.

A second finance user approves (posting one ledger adjustment) or rejects by action; approving
first shows, for each adjustment, the settlement's net and the client's balance before and after
(``selectors.approval_previews``). The adjustment rows themselves are read-only; their ledger
entry shows only to those who may read client ledgers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from kernel.display import signed_yuan, yuan
from orders.admin import ReadOnlyInline
from orders.admin.visibility import VIEW_LEDGER, PermissionFieldsMixin

from .. import selectors, services
from ..models import Adjustment
from .base import ActionForm, FinanceRecordAdmin, admin_link, reason_action, reason_field


class AdjustmentRequestForm(ActionForm):
    """A signed amount and its reason: the input of "Request an adjustment"."""

    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Positive credits the client's account, negative debits it."),
    )
    reason = reason_field()
    client_note = forms.CharField(
        label=_("Note for the client"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_(
            "Shown to the client on the order page and the statement once approved; the reason "
            "above stays internal."
        ),
    )

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("An adjustment cannot be zero."))
        return amount


# Who asked for an adjustment and who decided it, on every list and page that shows one.
DECISION_FIELDS = (
    "status",
    "requested_by",
    "requested_at",
    "decided_by",
    "decided_at",
    "ledger_entry",
)
# An adjustment as its settlement's inline and its own page show it (all read-only).
ADJUSTMENT_FIELDS = ("amount", "reason", "client_note", *DECISION_FIELDS)


class AdjustmentInline(ReadOnlyInline):
    """A settlement's corrections, oldest first, on its change page."""

    model = Adjustment
    fields = ADJUSTMENT_FIELDS
    readonly_fields = fields
    field_permissions = {"ledger_entry": VIEW_LEDGER}
    ordering = ("requested_at", "id")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Adjustment]:
        return (
            super()
            .get_queryset(request)
            .select_related("requested_by", "decided_by", "ledger_entry")
        )


# What an action page and its messages name an adjustment by (``describe_adjustment``).
ADJUSTMENT_RELATED = ("settlement__boost__line__order", "requested_by")


def describe_adjustment(adjustment: Adjustment) -> str:
    """One line naming an adjustment on an action page or in a message."""
    return gettext("#%(id)s %(amount)s on %(order)s by %(user)s: %(reason)s") % {
        "id": adjustment.pk,
        "amount": yuan(adjustment.amount),
        "order": adjustment.settlement.boost.line.order.code,
        "user": adjustment.requested_by.get_username(),
        "reason": adjustment.reason,
    }


def describe_approval(adjustment: Adjustment, preview: selectors.ApprovalPreview) -> str:
    """An adjustment on the approval page: what the client reads, and before → after."""
    net = preview.net
    return format_html(
        "{}<br>{}<br>{}<br>{}{}",
        describe_adjustment(adjustment),
        gettext("Note for the client: %(note)s") % {"note": adjustment.client_note or "—"},
        gettext(
            "Net of the settlement: %(before)s → %(after)s (amount %(amount)s, boost fee %(fee)s)"
        )
        % {
            "before": yuan(net.before),
            "after": yuan(net.after),
            "amount": yuan(net.amount),
            "fee": yuan(net.fee),
        },
        gettext("Client balance: %(before)s → %(after)s (%(change)s)")
        % {
            "before": yuan(preview.balance_before),
            "after": yuan(preview.balance_after),
            "change": signed_yuan(adjustment.amount),
        },
        format_html('<br><strong class="sb-overdue">{}</strong>', preview.refusal)
        if preview.refusal
        else "",
    )


def _reject(adjustment: Adjustment, actor: Any, reason: str, now: datetime) -> bool:
    """Reject one requested adjustment; whether it was not rejected already."""
    before = adjustment.status
    decided = services.reject_adjustment(adjustment=adjustment, actor=actor, reason=reason, now=now)
    return before != decided.status


class AdjustmentAdmin(PermissionFieldsMixin, FinanceRecordAdmin):
    """Requested corrections; a second finance user approves (posting to the ledger) or rejects."""

    list_display = ("__str__", "settlement_link", "amount", "client_note", *DECISION_FIELDS)
    list_filter = ("status", ("requested_at", admin.DateFieldListFilter))
    search_fields = ("settlement__boost__line__order__code", "reason")
    search_help_text = _("Order code or reason")
    list_select_related = (
        "settlement__boost__line__order",
        "requested_by",
        "decided_by",
        "ledger_entry",
    )
    fields = ("settlement_link", *ADJUSTMENT_FIELDS)
    readonly_fields = fields
    field_permissions = {"ledger_entry": VIEW_LEDGER}
    actions = ("approve_adjustments", "reject_adjustments")

    @admin.display(description=_("settlement"))
    def settlement_link(self, adjustment: Adjustment) -> str:
        settlement = adjustment.settlement
        return admin_link(settlement, f"#{settlement.pk} {settlement.boost.line.order.code}")

    @admin.action(
        description=_("Approve and post to the client's account"), permissions=["finance"]
    )
    def approve_adjustments(
        self, request: HttpRequest, queryset: QuerySet[Adjustment]
    ) -> TemplateResponse | None:
        queryset = queryset.select_related(*ADJUSTMENT_RELATED).order_by("pk")
        previews = selectors.approval_previews(list(queryset), request.user)
        form, page = self.form_page(
            request,
            queryset,
            form_class=ActionForm,
            action="approve_adjustments",
            title=gettext("Approve adjustments"),
            intro=gettext(
                "Each approved adjustment is posted to the client's account at once. The "
                "figures below are as of now, in the order the adjustments are approved; each is "
                "checked again when it is posted."
            ),
            submit_label=gettext("Approve and post"),
            describe=lambda adjustment: describe_approval(adjustment, previews[adjustment.pk]),
        )
        if page is not None:
            return page
        now = timezone.now()

        def call(adjustment: Adjustment) -> bool:
            before = adjustment.status
            decided = services.approve_adjustment(
                adjustment=adjustment, actor=request.user, now=now
            )
            return before != decided.status

        self.run_each(
            request,
            queryset.all(),  # read again: each row as it is now, before it is approved
            call,
            describe=describe_adjustment,
            done=ngettext_lazy(
                "%(count)d adjustment approved and posted.",
                "%(count)d adjustments approved and posted.",
                "count",
            ),
        )
        return None

    reject_adjustments = reason_action(
        "reject_adjustments",
        _reject,
        description=_("Reject (asks for a reason)"),
        permission="finance",
        title=_("Reject adjustments"),
        intro=_("Rejected adjustments post nothing."),
        submit_label=_("Reject"),
        describe=describe_adjustment,
        done=ngettext_lazy(
            "%(count)d adjustment rejected.", "%(count)d adjustments rejected.", "count"
        ),
        related=ADJUSTMENT_RELATED,
    )
