"""The finance admin: settlements, their audit trail, corrections and the official calendar.

Everything money-related is read-only here (DESIGN §8, STYLE "Append, never edit"): nobody, not
even a superuser, adds, edits or deletes a settlement, an event or an adjustment through a form.
Finance acts through admin actions that call ``settlements.services``; "Finance" means the
``settlements.change_settlement`` permission (given to the Finance group by migration 0003).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.admin import BoostAdmin, ReadOnlyAdminMixin, ReadOnlyInline
from orders.models import Boost
from orders.services import OrderError

from . import services
from .models import Adjustment, CalendarDay, Settlement, SettlementEvent

FINANCE_PERMISSION = "settlements.change_settlement"
ACTION_FORM_TEMPLATE = "admin/settlements/action_form.html"
DASH = "—"


def is_finance(user) -> bool:
    """Whether ``user`` may act on money: hold, release, adjust, settle (superusers may)."""
    return user.is_active and user.has_perm(FINANCE_PERMISSION)


def _yuan(amount: Decimal) -> str:
    return f"¥{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _admin_link(obj: models.Model | None, text: str | None = None) -> str:
    """A link to ``obj``'s admin page, or plain text when its model is not in the admin."""
    if obj is None:
        return DASH
    label = text if text is not None else str(obj)
    try:
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return label
    return format_html('<a href="{}">{}</a>', url, label)


def _local(instant) -> str:
    return date_format(timezone.localtime(instant), "DATETIME_FORMAT") if instant else DASH


def _error_text(error: OrderError) -> str:
    return " ".join(error.messages)


# --- Overdue: the red flag of DESIGN §7 -----------------------------------------------------------

SETTLED = (Settlement.Status.PAID, Settlement.Status.CLOSED)


def overdue_q(today) -> Q:
    """Settlements past their due date that still have money to pay."""
    return Q(due_date__lt=today) & ~Q(status__in=SETTLED)


def is_overdue(settlement: Settlement, today) -> bool:
    return settlement.due_date < today and settlement.status not in SETTLED


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = overdue_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
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


# --- Intermediate action pages ------------------------------------------------------------------


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept in the audit trail."),
    )


class ActionForm(forms.Form):
    required_css_class = "required"  # the admin's bold label


class ReasonForm(ActionForm):
    reason = _reason_field()

    def __init__(self, *args, reason_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class AdjustmentRequestForm(ActionForm):
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Positive credits the client's account, negative debits it."),
    )
    reason = _reason_field()

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("An adjustment cannot be zero."))
        return amount


class ServiceActionsMixin:
    """Admin actions that ask for input on an intermediate page, then call a service per row.

    The page re-posts the selected ids and the action name to the changelist, the standard
    Django pattern (like ``delete_selected``); the ``apply`` button marks the second post.
    """

    def form_page(
        self,
        request,
        queryset,
        *,
        form_class: type[forms.Form],
        action: str,
        title: str,
        intro: str,
        submit_label: str,
        describe: Callable[[models.Model], str] = str,
        form_kwargs: dict | None = None,
    ) -> tuple[forms.Form | None, TemplateResponse | None]:
        """(the valid submitted form, None), or (None, the page to show)."""
        form_kwargs = form_kwargs or {}
        if "apply" in request.POST:
            form = form_class(request.POST, **form_kwargs)
            if form.is_valid():
                return form, None
        else:
            form = form_class(**form_kwargs)
        objects = list(queryset)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "opts": self.opts,
            "form": form,
            "objects": [(obj.pk, describe(obj)) for obj in objects],
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return None, TemplateResponse(request, ACTION_FORM_TEMPLATE, context)

    def run_each(
        self,
        request,
        objects: Iterable[models.Model],
        call: Callable[[models.Model], bool],
        *,
        describe: Callable[[models.Model], str],
        done: Callable[[int], str],
        unchanged: Callable[[int], str] | None = None,
    ) -> None:
        """Call the service for each object on its own; report successes and each refusal.

        ``call`` returns whether it changed anything (a service no-op returns False).
        """
        changed = same = 0
        for obj in objects:
            try:
                if call(obj):
                    changed += 1
                else:
                    same += 1
            except OrderError as error:
                self.message_user(
                    request,
                    gettext("%(object)s: %(error)s")
                    % {"object": describe(obj), "error": _error_text(error)},
                    messages.ERROR,
                )
        if changed:
            self.message_user(request, done(changed), messages.SUCCESS)
        if same and unchanged is not None:
            self.message_user(request, unchanged(same), messages.WARNING)


def describe_settlement(settlement: Settlement) -> str:
    line = settlement.boost.line
    return gettext("%(order)s · %(influencer)s: %(kind)s %(amount)s (%(status)s)") % {
        "order": line.order.code,
        "influencer": line.influencer.name,
        "kind": settlement.get_kind_display(),
        "amount": _yuan(settlement.amount),
        "status": settlement.get_status_display(),
    }


# --- CSV export ---------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "order_code",
    "client",
    "influencer",
    "kind",
    "status",
    "expected_views",
    "actual_views",
    "fixed_price",
    "boost_fee",
    "expected_cpm",
    "raw_amount",
    "cap_applied",
    "amount",
    "due_date",
    "due_date_provisional",
    "paid_at",
)


class _Echo:
    """A write-only file whose ``write`` hands the line back, for streaming ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def _blank(value) -> object:
    return "" if value is None else value


def settlement_csv_rows(queryset) -> Iterator[list]:
    """Machine-readable rows: stable column names, codes for kind/status, plain decimals."""
    yield list(CSV_COLUMNS)
    rows = queryset.select_related(
        "boost__line__order__client", "boost__line__influencer"
    ).iterator(chunk_size=2000)
    for s in rows:
        line = s.boost.line
        yield [
            s.pk,
            line.order.code,
            line.order.client.name,
            line.influencer.name,
            s.kind,
            s.status,
            s.expected_views,
            _blank(s.actual_views),
            s.fixed_price,
            s.boost_fee,
            _blank(s.expected_cpm),
            _blank(s.raw_amount),
            "true" if s.cap_applied else "false",
            s.amount,
            s.due_date.isoformat(),
            "true" if s.due_date_provisional else "false",
            timezone.localtime(s.paid_at).isoformat() if s.paid_at else "",
        ]


def _csv_stream(queryset) -> Iterator[str]:
    # The byte-order mark lets spreadsheet programs read the Chinese names as UTF-8.
    yield "\ufeff"
    writer = csv.writer(_Echo())
    for row in settlement_csv_rows(queryset):
        yield writer.writerow(row)


def settlement_csv_response(queryset) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_stream(queryset), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="settlements-{stamp}.csv"'
    return response


# --- Settlements --------------------------------------------------------------------------------


class SettlementEventInline(ReadOnlyInline):
    model = SettlementEvent
    fields = ("at", "type", "actor_name", "details")
    readonly_fields = fields
    ordering = ("at", "id")
    show_change_link = False
    verbose_name_plural = _("audit trail")

    @admin.display(description=_("details"))
    def details(self, event: SettlementEvent) -> str:
        return format_event_data(event.data)


class AdjustmentInline(ReadOnlyInline):
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

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("requested_by", "decided_by", "ledger_entry")
        )


def format_event_data(data: dict) -> str:
    if not data:
        return DASH
    return ", ".join(f"{key}: {value}" for key, value in data.items())


@admin.register(Settlement)
class SettlementAdmin(ServiceActionsMixin, admin.ModelAdmin):
    """Settlements are read-only; Finance holds, releases and requests adjustments by action."""

    list_display = (
        "boost_display",
        "kind",
        "status",
        "amount",
        "cap_applied",
        "due",
        "overdue_flag",
        "computed_at",
        "paid_at",
    )
    list_filter = (
        "kind",
        "status",
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
    inlines = (AdjustmentInline, SettlementEventInline)
    actions = (
        "export_selected_csv",
        "hold_payouts",
        "release_payouts",
        "request_adjustment",
    )
    fieldsets = (
        (
            None,
            {"fields": ("boost_link", "client", "kind", "status", "amount", "note")},
        ),
        (
            _("How the amount was computed"),
            {
                "fields": (
                    "formula",
                    "cap_threshold",
                    "expected_views",
                    "actual_views",
                    "closing_snapshot",
                    "fixed_price",
                    "boost_fee",
                    "expected_cpm",
                    "raw_amount",
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
                    "paid_at",
                    "ledger_entry_link",
                )
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets(self.fieldsets)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "boost__line__order__client",
                "boost__line__influencer",
                "snapshot",
                "ledger_entry",
            )
        )

    # Permissions: nobody edits or deletes a settlement; Finance may act on it.

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Model level: Finance may act (actions). Object level: the form is always read-only.
        return obj is None and self.has_finance_permission(request)

    def has_finance_permission(self, request) -> bool:
        return is_finance(request.user)

    # List columns and change-form fields.

    @admin.display(description=_("boost"), ordering="boost__line__order__code")
    def boost_display(self, s: Settlement) -> str:
        return f"{s.boost.line.order.code} · {s.boost.line.influencer.name}"

    @admin.display(description=_("boost"))
    def boost_link(self, s: Settlement) -> str:
        return _admin_link(s.boost, self.boost_display(s))

    @admin.display(description=_("client"))
    def client(self, s: Settlement) -> str:
        return _admin_link(s.boost.line.order.client)

    @admin.display(description=_("due date"), ordering="due_date")
    def due(self, s: Settlement) -> str:
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
        if is_overdue(s, timezone.localdate()):
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
        values = {"fee": _yuan(s.boost_fee), "at": _local(s.service_ended_at)}
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
        explanation = s.explanation
        if explanation is None:
            return DASH
        # The cap binds once the shortfall share exceeds F / (P + F) (DESIGN §6), i.e. below
        # E · P / (P + F) views; shown rounded, as the words say "about".
        kept = 1 - explanation.cap_threshold_share
        percent = (100 * kept).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        price, fee = Fraction(s.fixed_price), Fraction(s.boost_fee)
        views = int(s.expected_views * price / (price + fee) + Fraction(1, 2))
        return gettext(
            "Below about %(percent)s %% of the expected views (about %(views)s of %(expected)s) "
            "the whole boost fee of %(fee)s comes back."
        ) % {
            "percent": percent,
            "views": f"{views:,}",
            "expected": f"{s.expected_views:,}",
            "fee": _yuan(s.boost_fee),
        }

    @admin.display(description=_("closing snapshot"))
    def closing_snapshot(self, s: Settlement) -> str:
        if s.snapshot is None:
            if s.kind == Settlement.Kind.REFUND:
                return DASH
            return gettext("None: settled without view data (actual views taken as 0).")
        text = gettext("%(views)s views observed at %(at)s") % {
            "views": f"{s.snapshot.views:,}",
            "at": _local(s.snapshot_observed_at),
        }
        return _admin_link(s.snapshot, text)

    @admin.display(description=_("paid by ledger entry"))
    def ledger_entry_link(self, s: Settlement) -> str:
        entry = s.ledger_entry
        if entry is None:
            return DASH
        text = gettext("#%(id)s %(kind)s %(amount)s on %(at)s") % {
            "id": entry.pk,
            "kind": entry.get_kind_display(),
            "amount": _yuan(entry.amount),
            "at": _local(entry.created_at),
        }
        return _admin_link(entry, text)

    # The filtered-list CSV export.

    def get_urls(self):
        export = path(
            "export-csv/",
            self.admin_site.admin_view(self.export_filtered_csv_view),
            name="settlements_settlement_export_csv",
        )
        return [export, *super().get_urls()]

    def export_filtered_csv_view(self, request):
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
    def export_selected_csv(self, request, queryset):
        return settlement_csv_response(queryset.order_by("pk"))

    @admin.action(description=_("Hold payout (asks for a reason)"), permissions=["finance"])
    def hold_payouts(self, request, queryset):
        form, page = self.form_page(
            request,
            queryset,
            form_class=ReasonForm,
            action="hold_payouts",
            title=gettext("Hold payouts"),
            intro=gettext(
                "Held payouts are not paid until released. Only scheduled payouts can be held."
            ),
            submit_label=gettext("Hold"),
            describe=describe_settlement,
        )
        if page is not None:
            return page
        now, reason = timezone.now(), form.cleaned_data["reason"]

        def call(s: Settlement) -> bool:
            held = services.hold(settlement=s, actor=request.user, reason=reason, now=now)
            return s.status != held.status

        self.run_each(
            request,
            queryset.order_by("pk"),
            call,
            describe=describe_settlement,
            done=lambda n: (
                ngettext("%(count)d payout held.", "%(count)d payouts held.", n) % {"count": n}
            ),
            unchanged=lambda n: (
                ngettext(
                    "%(count)d payout was already held.", "%(count)d payouts were already held.", n
                )
                % {"count": n}
            ),
        )
        return None

    @admin.action(description=_("Release held payout"), permissions=["finance"])
    def release_payouts(self, request, queryset):
        form, page = self.form_page(
            request,
            queryset,
            form_class=ReasonForm,
            form_kwargs={"reason_required": False},
            action="release_payouts",
            title=gettext("Release payouts"),
            intro=gettext("Released payouts are paid by the next payout sweep."),
            submit_label=gettext("Release"),
            describe=describe_settlement,
        )
        if page is not None:
            return page
        now, reason = timezone.now(), form.cleaned_data["reason"]

        def call(s: Settlement) -> bool:
            released = services.release(settlement=s, actor=request.user, reason=reason, now=now)
            return s.status != released.status

        self.run_each(
            request,
            queryset.order_by("pk"),
            call,
            describe=describe_settlement,
            done=lambda n: (
                ngettext("%(count)d payout released.", "%(count)d payouts released.", n)
                % {"count": n}
            ),
            unchanged=lambda n: (
                ngettext("%(count)d payout was not held.", "%(count)d payouts were not held.", n)
                % {"count": n}
            ),
        )
        return None

    @admin.action(description=_("Request an adjustment (one settlement)"), permissions=["finance"])
    def request_adjustment(self, request, queryset):
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
                actor=request.user,
                now=timezone.now(),
            )
        except OrderError as error:
            self.message_user(request, _error_text(error), messages.ERROR)
            return None
        self.message_user(
            request,
            format_html(
                "{} {}",
                gettext("Adjustment of %(amount)s requested; another finance user must approve it.")
                % {"amount": _yuan(adjustment.amount)},
                _admin_link(adjustment, gettext("View the request")),
            ),
            messages.SUCCESS,
        )
        return None


# --- Adjustments --------------------------------------------------------------------------------


def describe_adjustment(adjustment: Adjustment) -> str:
    return gettext("#%(id)s %(amount)s on %(order)s by %(user)s: %(reason)s") % {
        "id": adjustment.pk,
        "amount": _yuan(adjustment.amount),
        "order": adjustment.settlement.boost.line.order.code,
        "user": adjustment.requested_by.get_username(),
        "reason": adjustment.reason,
    }


@admin.register(Adjustment)
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and self.has_finance_permission(request)

    def has_finance_permission(self, request) -> bool:
        return is_finance(request.user)

    @admin.display(description=_("settlement"))
    def settlement_link(self, adjustment: Adjustment) -> str:
        settlement = adjustment.settlement
        return _admin_link(settlement, f"#{settlement.pk} {settlement.boost.line.order.code}")

    @admin.action(
        description=_("Approve and post to the client's account"), permissions=["finance"]
    )
    def approve_adjustments(self, request, queryset):
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
    def reject_adjustments(self, request, queryset):
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


# --- Settlement events --------------------------------------------------------------------------


@admin.register(SettlementEvent)
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
        return _admin_link(settlement, f"#{settlement.pk} {settlement.boost.line.order.code}")

    @admin.display(description=_("details"))
    def details(self, event: SettlementEvent) -> str:
        return format_event_data(event.data)


# --- Official calendar --------------------------------------------------------------------------


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Operators enter official days; every save recomputes provisional due dates (DESIGN §7)."""

    list_display = ("date", "day_type", "note", "source", "created_by", "created_at")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("note", "source")
    list_select_related = ("created_by",)
    fields = ("date", "is_working_day", "note", "source")

    def get_readonly_fields(self, request, obj=None):
        # A day is entered once; entering another date is another row.
        return ("date",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting silently moves due dates, so only superusers may, and dates are recomputed.
        return request.user.is_active and request.user.is_superuser

    @admin.display(description=_("day"), ordering="is_working_day")
    def day_type(self, day: CalendarDay) -> str:
        return gettext("Make-up working day") if day.is_working_day else gettext("Holiday")

    def save_model(self, request, obj, form, change):
        entry, changed = services.enter_calendar_day(
            day=obj.date,
            is_working_day=obj.is_working_day,
            source=obj.source,
            note=obj.note,
            actor=request.user,
            now=timezone.now(),
        )
        # The admin logs and links the saved row; the service wrote it.
        obj.pk, obj.created_by, obj.created_at = entry.pk, entry.created_by, entry.created_at
        obj._state.adding = False
        self.message_due_dates(request, changed)

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        changed = services.remove_calendar_days(
            days=list(queryset), actor=request.user, now=timezone.now()
        )
        self.message_due_dates(request, changed)

    def message_due_dates(self, request, changed: int) -> None:
        if changed:
            message = ngettext(
                "%(count)d due date was recomputed.",
                "%(count)d due dates were recomputed.",
                changed,
            ) % {"count": changed}
        else:
            message = gettext("No due date changed.")
        self.message_user(request, message, messages.INFO)


# --- Boosts: the settlement actions and summary ------------------------------------------------


def describe_boost(boost: Boost) -> str:
    return gettext("%(order)s · %(influencer)s (%(status)s)") % {
        "order": boost.line.order.code,
        "influencer": boost.line.influencer.name,
        "status": boost.get_status_display(),
    }


class BoostSettlementAdmin(ServiceActionsMixin, BoostAdmin):
    """``orders.admin.BoostAdmin`` with what settlements adds: cancel, settle, the settlement.

    It lives here because ``orders`` never imports ``settlements`` (DESIGN §9). Cancelling needs
    ``orders.change_boost`` (Operations and Finance), settling on stale data needs Finance.
    """

    actions = [*BoostAdmin.actions, "cancel_boosts", "settle_on_available_views"]
    fieldsets = [
        *BoostAdmin.fieldsets,
        (_("Settlement"), {"fields": ["settlement_summary"]}),
    ]
    readonly_fields = [*BoostAdmin.readonly_fields, "settlement_summary"]

    def has_cancel_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm("orders.change_boost")

    def has_finance_permission(self, request) -> bool:
        return is_finance(request.user)

    @admin.display(description=_("settlement"))
    def settlement_summary(self, boost: Boost) -> str:
        settlement = Settlement.objects.filter(boost=boost).first()
        if settlement is None:
            if boost.status == Boost.Status.AWAITING_VIEWS:
                return gettext(
                    "No settlement yet: waiting for view data from the end of the window. "
                    "Finance can settle with the views available."
                )
            return gettext("No settlement yet.")
        text = gettext("%(kind)s %(amount)s, %(status)s, due %(due)s") % {
            "kind": settlement.get_kind_display(),
            "amount": _yuan(settlement.amount),
            "status": settlement.get_status_display(),
            "due": date_format(settlement.due_date, "DATE_FORMAT"),
        }
        if settlement.due_date_provisional:
            text += " " + gettext("(provisional)")
        return _admin_link(settlement, text)

    @admin.action(description=_("Cancel boost (refund fee)"), permissions=["cancel"])
    def cancel_boosts(self, request, queryset):
        queryset = queryset.select_related("line__order", "line__influencer")
        form, page = self.form_page(
            request,
            queryset,
            form_class=ReasonForm,
            action="cancel_boosts",
            title=gettext("Cancel boosts"),
            intro=gettext(
                "Only a boost still awaiting publish can be cancelled; its whole fee is refunded "
                "to the client within 7 business days."
            ),
            submit_label=gettext("Cancel these boosts"),
            describe=describe_boost,
        )
        if page is not None:
            return page
        now, reason = timezone.now(), form.cleaned_data["reason"]

        def call(boost: Boost) -> bool:
            before = boost.status
            services.cancel(boost=boost, actor=request.user, reason=reason, now=now)
            return before != Boost.Status.CANCELLED

        self.run_each(
            request,
            queryset.order_by("pk"),
            call,
            describe=describe_boost,
            done=lambda n: (
                ngettext(
                    "%(count)d boost cancelled; its fee will be refunded.",
                    "%(count)d boosts cancelled; their fees will be refunded.",
                    n,
                )
                % {"count": n}
            ),
            unchanged=lambda n: (
                ngettext(
                    "%(count)d boost was already cancelled.",
                    "%(count)d boosts were already cancelled.",
                    n,
                )
                % {"count": n}
            ),
        )
        return None

    @admin.action(description=_("Settle with available views"), permissions=["finance"])
    def settle_on_available_views(self, request, queryset):
        queryset = queryset.select_related("line__order", "line__influencer")
        form, page = self.form_page(
            request,
            queryset,
            form_class=ReasonForm,
            action="settle_on_available_views",
            title=gettext("Settle with available views"),
            intro=gettext(
                "These boosts have no fresh view data from the end of their window. Each is "
                "settled on its latest snapshot up to the window end, however old; with none, "
                "the actual views count as 0. The reason is kept on the settlement."
            ),
            submit_label=gettext("Settle"),
            describe=describe_boost,
        )
        if page is not None:
            return page
        now, reason = timezone.now(), form.cleaned_data["reason"]

        def call(boost: Boost) -> bool:
            services.settle_with_available_views(
                boost=boost, actor=request.user, reason=reason, now=now
            )
            return True

        self.run_each(
            request,
            queryset.order_by("pk"),
            call,
            describe=describe_boost,
            done=lambda n: (
                ngettext("%(count)d boost settled.", "%(count)d boosts settled.", n) % {"count": n}
            ),
        )
        return None


admin.site.unregister(Boost)
admin.site.register(Boost, BoostSettlementAdmin)
