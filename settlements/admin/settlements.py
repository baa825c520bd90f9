"""The settlement admin: the read-only record of each outcome, its filters and Finance's actions.

Nobody, not even a superuser, adds, edits or deletes a settlement through a form (DESIGN §8,
STYLE "Append, never edit"). Finance holds, releases and requests adjustments by action; every
action calls ``settlements.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from kernel.display import exact_yuan, grouped, yuan
from kernel.errors import DomainError
from kernel.paging import LargeTableAdmin
from orders.admin.base import admin_view_path, column
from orders.admin.visibility import VIEW_LEDGER, PermissionFieldsMixin
from orders.models import Boost
from orders.pricing import whole_fee_threshold

from .. import services
from ..models import Settlement, overdue_q
from .adjustments import AdjustmentInline, AdjustmentRequestForm
from .base import (
    DASH,
    FinanceRecordAdmin,
    RowCall,
    admin_link,
    error_text,
    local_time,
    reason_action,
)
from .events import SettlementEventInline
from .exports import settlement_csv_response
from .recoveries import RecoveryCaseInline


class OverdueFilter(admin.SimpleListFilter):
    """Overdue or not, by the one rule of ``Settlement.objects.overdue`` (DESIGN §7)."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Settlement]) -> QuerySet:
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.overdue(today)
        if self.value() == "no":
            return queryset.exclude(overdue_q(today))
        return queryset


class DueDateFilter(admin.DateFieldListFilter):
    """The stock date ranges look back; due dates mostly lie ahead, so add the coming days."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        today = timezone.localdate()
        # Like the stock "Past 7 days", which runs up to and including today.
        ahead = [(_("Next 7 days"), 8), (_("Next 30 days"), 31)]
        self.links = (
            *self.links[:2],
            *(
                (
                    title,
                    {
                        self.lookup_kwarg_since: today,
                        self.lookup_kwarg_until: today + timedelta(days=days),
                    },
                )
                for title, days in ahead
            ),
            *self.links[2:],
        )


def describe_settlement(settlement: Settlement) -> str:
    """One line naming a settlement on an action page or in a message."""
    line = settlement.boost.line
    return gettext("%(order)s · %(influencer)s: %(kind)s %(amount)s (%(status)s)") % {
        "order": line.order.code,
        "influencer": line.influencer.name,
        "kind": settlement.get_kind_display(),
        "amount": yuan(settlement.amount),
        "status": settlement.get_status_display(),
    }


def _payout_move(service: Callable[..., Settlement]) -> RowCall:
    """Hold or release one payout through ``service``; whether its status moved."""

    def call(settlement: Settlement, actor: Any, reason: str, now: datetime) -> bool:
        moved = service(settlement=settlement, actor=actor, reason=reason, now=now)
        return settlement.status != moved.status

    return call


class SettlementAdmin(LargeTableAdmin, PermissionFieldsMixin, FinanceRecordAdmin):
    """Settlements are read-only; Finance holds, releases and requests adjustments by action."""

    list_display = (
        "boost_display",
        "kind",
        "status",
        "amount_display",
        "cap_applied",
        "cause",
        "due",
        "overdue_flag",
        "computed_at",
        "paid",
    )
    list_filter = (
        "kind",
        "status",
        "cause",
        ("due_date", DueDateFilter),
        OverdueFilter,
        "due_date_provisional",
        "cap_applied",
    )
    search_fields = (
        "boost__line__order__code",
        "boost__line__influencer__name",
        "boost__line__order__client__name",
    )
    search_help_text = _("Order code, influencer or client name")
    list_select_related = ("boost__line__order__client", "boost__line__influencer")
    inlines = (AdjustmentInline, RecoveryCaseInline, SettlementEventInline)
    field_permissions = {"ledger_entry_link": VIEW_LEDGER}
    actions = (
        "export_selected_csv",
        "hold_payouts",
        "release_payouts",
        "request_adjustment",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "boost_link",
                    "client",
                    "kind",
                    "status",
                    "amount_display",
                    "cause",
                    "note",
                )
            },
        ),
        (
            _("How the amount was computed"),
            {
                "fields": (
                    "formula",
                    "cap_threshold",
                    "closing_snapshot",
                    "expected_views_display",
                    "actual_views_display",
                    "fixed_price_display",
                    "boost_fee_display",
                    "expected_cpm_display",
                    "raw_amount_display",
                    "cap_applied",
                    "formula_version",
                    "computed_at",
                )
            },
        ),
        (
            _("Payout"),
            {
                "fields": (
                    "service_ended_at",
                    "due",
                    "overdue_flag",
                    "paid",
                    "ledger_entry_link",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Settlement | None = None) -> list:
        return flatten_fieldsets(self.fieldsets)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Settlement]:
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related, "snapshot", "ledger_entry")
        )

    # List columns and change-form fields.

    @admin.display(description=_("boost"), ordering="boost__line__order__code")
    def boost_display(self, s: Settlement) -> str:
        return f"{s.boost.line.order.code} · {s.boost.line.influencer.name}"

    @admin.display(description=_("boost"))
    def boost_link(self, s: Settlement) -> str:
        return admin_link(s.boost, self.boost_display(s))

    @admin.display(description=_("client"))
    def client(self, s: Settlement) -> str:
        return admin_link(s.boost.line.order.client)

    amount_display = column(_("amount"), "amount", yuan)
    fixed_price_display = column(_("fixed price"), "fixed_price", yuan)
    boost_fee_display = column(_("boost fee"), "boost_fee", yuan)
    expected_views_display = column(_("expected views"), "expected_views", grouped)

    @admin.display(description=_("expected CPM"))
    def expected_cpm_display(self, s: Settlement) -> str:
        return exact_yuan(s.expected_cpm) or DASH

    @admin.display(description=_("raw amount"))
    def raw_amount_display(self, s: Settlement) -> str:
        return exact_yuan(s.raw_amount) or DASH

    @admin.display(description=_("actual views"), ordering="actual_views")
    def actual_views_display(self, s: Settlement) -> str:
        return grouped(s.actual_views) or DASH

    @admin.display(description=_("paid at"), ordering="paid_at")
    def paid(self, s: Settlement) -> str:
        """When the money was credited; until then 待支付, or a dash when nothing is owed."""
        if s.paid_at is not None:
            return local_time(s.paid_at)
        if s.kind == Settlement.Kind.NONE:
            return DASH
        return gettext("Awaiting payment")

    @admin.display(description=_("due date"), ordering="due_date")
    def due(self, s: Settlement) -> str:
        if s.kind == Settlement.Kind.NONE:
            return gettext("Nothing to pay")
        day = date_format(s.due_date, "DATE_FORMAT")
        if s.due_date_provisional:
            return format_html(
                '{} <span title="{}">({})</span>',
                day,
                gettext("The calendar for this period is not known yet; recomputed once entered."),
                gettext("provisional"),
            )
        return day

    @admin.display(description=_("overdue"))
    def overdue_flag(self, s: Settlement) -> str:
        if s.is_overdue(timezone.localdate()):
            return format_html('<strong class="sb-overdue">{}</strong>', gettext("Overdue"))
        return ""

    @admin.display(description=_("formula"))
    def formula(self, s: Settlement) -> str:
        if s.kind == Settlement.Kind.REFUND:
            return self.refund_sentence(s)
        explanation = s.explanation
        return explanation.describe() if explanation else DASH

    @staticmethod
    def refund_sentence(s: Settlement) -> str:
        """Why a refund pays the whole fee: the boost expired unpublished, or was cancelled."""
        values = {"fee": yuan(s.boost_fee), "at": local_time(s.service_ended_at)}
        if s.boost.status != Boost.Status.CANCELLED:
            return (
                gettext(
                    "The whole boost fee of %(fee)s is refunded: the video was not published "
                    "before the boost expired on %(at)s."
                )
                % values
            )
        text = (
            gettext(
                "The whole boost fee of %(fee)s is refunded: the boost was cancelled before "
                "publish on %(at)s."
            )
            % values
        )
        if s.note:
            text += " " + gettext("Reason: %(reason)s") % {"reason": s.note}
        return text

    @admin.display(description=_("cap threshold"))
    def cap_threshold(self, s: Settlement) -> str:
        threshold = None
        if s.kind != Settlement.Kind.REFUND:
            threshold = whole_fee_threshold(s.expected_views, s.fixed_price, s.boost_fee)
        if threshold is None:
            return DASH
        return gettext(
            "Below about %(percent)s %% of the expected views (about %(views)s of %(expected)s) "
            "the whole boost fee of %(fee)s comes back."
        ) % {
            "percent": threshold.percent,
            "views": grouped(threshold.views),
            "expected": grouped(s.expected_views),
            "fee": yuan(s.boost_fee),
        }

    @admin.display(description=_("closing snapshot"))
    def closing_snapshot(self, s: Settlement) -> str:
        if s.snapshot is None:
            if s.kind == Settlement.Kind.REFUND:
                return DASH
            return gettext("None: settled without view data (actual views taken as 0).")
        text = gettext("%(views)s views observed at %(at)s") % {
            "views": grouped(s.snapshot.views),
            "at": local_time(s.snapshot_observed_at),
        }
        return admin_link(s.snapshot, text)

    @admin.display(description=_("paid by ledger entry"))
    def ledger_entry_link(self, s: Settlement) -> str:
        entry = s.ledger_entry
        if entry is None:
            return DASH
        text = gettext("#%(id)s %(kind)s %(amount)s on %(at)s") % {
            "id": entry.pk,
            "kind": entry.get_kind_display(),
            "amount": yuan(entry.amount),
            "at": local_time(entry.created_at),
        }
        return admin_link(entry, text)

    # The filtered-list CSV export.

    def get_urls(self) -> list[URLPattern]:
        export = admin_view_path(self, "export-csv/", self.export_filtered_csv_view, "export_csv")
        return [export, *super().get_urls()]

    def export_filtered_csv_view(self, request: HttpRequest) -> HttpResponse:
        """The changelist's current filters, search and ordering, every page, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:settlements_settlement_changelist"))
        return settlement_csv_response(changelist.get_queryset(request))

    # Actions.

    @admin.action(description=_("Export selected settlements as CSV"), permissions=["view"])
    def export_selected_csv(
        self, request: HttpRequest, queryset: QuerySet[Settlement]
    ) -> HttpResponse:
        return settlement_csv_response(queryset.order_by("pk"))

    hold_payouts = reason_action(
        "hold_payouts",
        _payout_move(services.hold),
        description=_("Hold payout (asks for a reason)"),
        permission="finance",
        title=_("Hold payouts"),
        intro=_("Held payouts are not paid until released. Only scheduled payouts can be held."),
        submit_label=_("Hold"),
        describe=describe_settlement,
        done=ngettext_lazy("%(count)d payout held.", "%(count)d payouts held.", "count"),
        unchanged=ngettext_lazy(
            "%(count)d payout was already held.",
            "%(count)d payouts were already held.",
            "count",
        ),
    )
    release_payouts = reason_action(
        "release_payouts",
        _payout_move(services.release),
        description=_("Release held payout"),
        permission="finance",
        title=_("Release payouts"),
        intro=_("Released payouts are paid by the next payout sweep."),
        submit_label=_("Release"),
        describe=describe_settlement,
        done=ngettext_lazy("%(count)d payout released.", "%(count)d payouts released.", "count"),
        unchanged=ngettext_lazy(
            "%(count)d payout was not held.", "%(count)d payouts were not held.", "count"
        ),
        reason_required=False,
    )

    @admin.action(description=_("Request an adjustment (one settlement)"), permissions=["finance"])
    def request_adjustment(
        self, request: HttpRequest, queryset: QuerySet[Settlement]
    ) -> TemplateResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request,
                gettext("Select exactly one settlement to request an adjustment."),
                messages.WARNING,
            )
            return None
        form, page = self.form_page(
            request,
            queryset,
            form_class=AdjustmentRequestForm,
            action="request_adjustment",
            title=gettext("Request an adjustment"),
            intro=gettext(
                "The settlement itself never changes; the correction is posted to the client's "
                "account once a second finance user approves it."
            ),
            submit_label=gettext("Request adjustment"),
            describe=describe_settlement,
        )
        if page is not None:
            return page
        settlement = queryset.get()
        try:
            adjustment = services.request_adjustment(
                settlement=settlement,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                client_note=form.cleaned_data["client_note"],
                actor=request.user,
                now=timezone.now(),
            )
        except DomainError as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return None
        self.message_user(
            request,
            format_html(
                "{} {}",
                gettext("Adjustment of %(amount)s requested; another finance user must approve it.")
                % {"amount": yuan(adjustment.amount)},
                admin_link(adjustment, gettext("View the request")),
            ),
            messages.SUCCESS,
        )
        return None
