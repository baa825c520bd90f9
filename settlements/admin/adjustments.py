"""Corrections in the admin: the request form, the inline on a settlement, and the four-eyes list.

A second finance user approves (posting one ledger adjustment) or rejects by action; the
adjustment rows themselves are read-only.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kernel.display import yuan
from orders.admin import ReadOnlyInline

from .. import services
from ..models import Adjustment
from .base import ActionForm, ReasonForm, ServiceActionsMixin, admin_link, is_finance, reason_field


class AdjustmentRequestForm(ActionForm):
    """A signed amount and its reason: the input of "Request an adjustment"."""

    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Positive credits the client's account, negative debits it."),
    )
    reason = reason_field()

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("An adjustment cannot be zero."))
        return amount


class AdjustmentInline(ReadOnlyInline):
    """A settlement's corrections, oldest first, on its change page."""

    model = Adjustment
    fields = (
        "amount",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "ledger_entry",
    )
    readonly_fields = fields
    ordering = ("requested_at", "id")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Adjustment]:
        return (
            super()
            .get_queryset(request)
            .select_related("requested_by", "decided_by", "ledger_entry")
        )


def describe_adjustment(adjustment: Adjustment) -> str:
    """One line naming an adjustment on an action page or in a message."""
    return gettext("#%(id)s %(amount)s on %(order)s by %(user)s: %(reason)s") % {
        "id": adjustment.pk,
        "amount": yuan(adjustment.amount),
        "order": adjustment.settlement.boost.line.order.code,
        "user": adjustment.requested_by.get_username(),
        "reason": adjustment.reason,
    }


class AdjustmentAdmin(ServiceActionsMixin, admin.ModelAdmin):
    """Requested corrections; a second finance user approves (posting to the ledger) or rejects."""

    list_display = (
        "__str__",
        "settlement_link",
        "amount",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "ledger_entry",
    )
    list_filter = ("status", ("requested_at", admin.DateFieldListFilter))
    search_fields = ("settlement__boost__line__order__code", "reason")
    search_help_text = _("Order code or reason")
    list_select_related = (
        "settlement__boost__line__order",
        "requested_by",
        "decided_by",
        "ledger_entry",
    )
    fields = (
        "settlement_link",
        "amount",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "ledger_entry",
    )
    readonly_fields = fields
    actions = ("approve_adjustments", "reject_adjustments")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Adjustment | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Adjustment | None = None) -> bool:
        return obj is None and self.has_finance_permission(request)

    def has_finance_permission(self, request: HttpRequest) -> bool:
        return is_finance(request.user)

    @admin.display(description=_("settlement"))
    def settlement_link(self, adjustment: Adjustment) -> str:
        settlement = adjustment.settlement
        return admin_link(settlement, f"#{settlement.pk} {settlement.boost.line.order.code}")

    @admin.action(
        description=_("Approve and post to the client's account"), permissions=["finance"]
    )
    def approve_adjustments(self, request: HttpRequest, queryset: QuerySet[Adjustment]) -> None:
        now = timezone.now()

        def call(adjustment: Adjustment) -> bool:
            before = adjustment.status
            decided = services.approve_adjustment(
                adjustment=adjustment, actor=request.user, now=now
            )
            return before != decided.status

        self.run_each(
            request,
            queryset.select_related("settlement__boost__line__order", "requested_by").order_by(
                "pk"
            ),
            call,
            describe=describe_adjustment,
            done=lambda n: (
                ngettext(
                    "%(count)d adjustment approved and posted.",
                    "%(count)d adjustments approved and posted.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=_("Reject (asks for a reason)"), permissions=["finance"])
    def reject_adjustments(
        self, request: HttpRequest, queryset: QuerySet[Adjustment]
    ) -> TemplateResponse | None:
        queryset = queryset.select_related("settlement__boost__line__order", "requested_by")
        form, page = self.form_page(
            request,
            queryset,
            form_class=ReasonForm,
            action="reject_adjustments",
            title=gettext("Reject adjustments"),
            intro=gettext("Rejected adjustments post nothing."),
            submit_label=gettext("Reject"),
            describe=describe_adjustment,
        )
        if page is not None:
            return page
        now, reason = timezone.now(), form.cleaned_data["reason"]

        def call(adjustment: Adjustment) -> bool:
            before = adjustment.status
            decided = services.reject_adjustment(
                adjustment=adjustment, actor=request.user, reason=reason, now=now
            )
            return before != decided.status

        self.run_each(
            request,
            queryset.order_by("pk"),
            call,
            describe=describe_adjustment,
            done=lambda n: (
                ngettext("%(count)d adjustment rejected.", "%(count)d adjustments rejected.", n)
                % {"count": n}
            ),
        )
        return None
