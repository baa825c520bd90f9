"""Operator admin for clients and their ledger, influencers, orders, boosts and view snapshots.

The admin is a thin caller of ``orders.services``: money and boost state change only through the
services (the top-up and place-order views, the refresh-quotes action). Ledger entries, orders,
boosts, their events and view snapshots are read-only here (STYLE: append, never edit).

Every changelist costs a constant number of queries whatever its length: related rows come in
through ``list_select_related``, and balances, latest views and order totals through annotations.
"""

from __future__ import annotations

import json
import uuid
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import MAX_ORDER_LINES, ModuleLineFormSet, OrderKeyForm
from .models import (
    Boost,
    BoostEvent,
    BoostStatus,
    Client,
    ClientMembership,
    HistoryVideo,
    Influencer,
    LedgerEntry,
    Order,
    OrderLine,
    ViewSnapshot,
)
from .pricing import IneligibleReason
from .services import LineRequest, OrderError

admin.site.site_header = _("StarBoost (星推宝) back-office")
admin.site.site_title = _("StarBoost back-office")
admin.site.index_title = _("Operations")

# How many latest ledger entries / snapshots a change form shows before linking to the full list.
RECENT_ROWS = 10
CENT = Decimal("0.01")
# Influencers per page on step 1 of placing an order; and the most lines one order may have.
PICK_PAGE_SIZE = 25


# --- Display helpers ---------------------------------------------------------------------------


def _percent(ratio: Decimal | str | None) -> str | None:
    """A ratio such as ``Decimal("0.23")`` as ``"23 %"``; None stays None (the empty value)."""
    if ratio is None:
        return None
    return f"{(Decimal(ratio) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)} %"


def _money(value: Decimal | None) -> Decimal:
    """An annotated sum or balance to fen: SQLite hands such values back without their scale."""
    return (value or Decimal(0)).quantize(CENT)


def _or_empty(value):
    """The admin's empty-value dash for None; a change form would otherwise print "None"."""
    return admin.site.empty_value_display if value is None or value == "" else value


def _change_url(obj_or_model, pk=None) -> str:
    opts = obj_or_model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        args=[obj_or_model.pk if pk is None else pk],
    )


def _changelist_url(model, **params) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _link(url: str, text) -> str:
    return format_html('<a href="{}">{}</a>', url, text)


def _preformatted(text: str | None) -> str | None:
    if not text:
        return None
    return format_html('<pre class="sb-pre-wrap">{}</pre>', text)


def cap_explanation(*, expected_views: int, fixed_price: Decimal, boost_fee: Decimal) -> str:
    """Say in words where the compensation cap binds (DESIGN §6).

    Compensation is min((E − A)·(P + F)/E, F), so the whole fee comes back as soon as the actual
    views A fall to E·P/(P + F) — for a 10 % ratio that is about 91 % of the expected views, a
    shortfall of only about 9 %. Operators must see this before they sell or settle a boost.
    """
    if expected_views <= 0 or fixed_price + boost_fee <= 0:
        return ""
    share = fixed_price / (fixed_price + boost_fee)
    percent = (share * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    views = int(expected_views * share)
    return gettext(
        "Below about %(percent)s %% of the expected views (%(views)s of %(expected)s) the whole "
        "boost fee comes back; between that and the expected views, part of it; at or above the "
        "expected views, nothing."
    ) % {"percent": percent, "views": f"{views:,}", "expected": f"{expected_views:,}"}


def _status_label(value: str) -> str:
    return BoostStatus(value).label if value in BoostStatus.values else (value or "∅")


class ReadOnlyAdminMixin:
    """Rows written only by services: they can be listed and viewed, never added, edited or
    deleted from the admin, not even by a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


# --- Clients and their ledger ------------------------------------------------------------------


class ClientBalanceFilter(admin.SimpleListFilter):
    title = _("balance")
    parameter_name = "balance"

    def lookups(self, request, model_admin):
        return [("positive", _("Positive")), ("zero", _("Zero"))]

    def queryset(self, request, queryset):
        if self.value() == "positive":
            return queryset.filter(balance__gt=0)
        if self.value() == "zero":
            return queryset.filter(Q(balance__isnull=True) | Q(balance=0))
        return queryset


class ClientMembershipInline(admin.TabularInline):
    model = ClientMembership
    extra = 0
    autocomplete_fields = ["user"]


class TopUpForm(forms.Form):
    """Money received from a client. The hidden key is minted when the form is first shown, so
    posting the same form twice (a double click, a browser retry) credits once."""

    amount = forms.DecimalField(
        label=_("amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        help_text=_("Kept on the ledger entry for the audit, e.g. the bank transfer reference."),
        widget=forms.TextInput(attrs={"size": 60}),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    """Clients with their balance, and the two money actions: top up, place an order."""

    list_display = [
        "name",
        "code",
        "balance",
        "order_count",
        "contact_email",
        "created_at",
        "money_links",
    ]
    list_display_links = ["name", "code"]
    search_fields = ["name", "code", "contact_email"]
    list_filter = [ClientBalanceFilter]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["name", "code", "contact_email", "created_at"]}),
        (_("Account"), {"fields": ["balance", "order_count", "recent_ledger_entries"]}),
    ]
    readonly_fields = ["created_at", "balance", "order_count", "recent_ledger_entries"]
    inlines = [ClientMembershipInline]

    def get_queryset(self, request):
        # Same rule as selectors.client_balances: the latest entry's running balance.
        latest = LedgerEntry.objects.filter(client=OuterRef("pk")).order_by("-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                balance=Subquery(latest.values("balance_after")[:1]),
                order_count=Count("orders", distinct=True),
            )
        )

    @admin.display(description=_("balance"), ordering="balance")
    def balance(self, client):
        return _money(getattr(client, "balance", None))  # an unsaved client has none

    @admin.display(description=_("orders"), ordering="order_count")
    def order_count(self, client):
        if not getattr(client, "order_count", 0):
            return 0
        return _link(_changelist_url(Order, client__id__exact=client.pk), client.order_count)

    @admin.display(description=_("money"))
    def money_links(self, client):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:orders_client_top_up", args=[client.pk]),
            gettext("Top up"),
            reverse("admin:orders_client_place_order", args=[client.pk]),
            gettext("Place an order"),
        )

    @admin.display(description=_("latest ledger entries"))
    def recent_ledger_entries(self, client):
        if client.pk is None:
            return _or_empty(None)
        entries = list(client.ledger_entries.select_related("order").order_by("-pk")[:RECENT_ROWS])
        if not entries:
            return gettext("No ledger entries yet.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                    e.get_kind_display(),
                    e.amount,
                    e.balance_after,
                    e.order.code if e.order else "",
                    e.reason,
                )
                for e in entries
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th></tr></thead><tbody>{}</tbody></table><p>{}</p>",
            gettext("created at"),
            gettext("kind"),
            gettext("amount"),
            gettext("balance after"),
            gettext("order"),
            gettext("reason"),
            rows,
            _link(
                _changelist_url(LedgerEntry, client__id__exact=client.pk),
                gettext("All ledger entries of this client"),
            ),
        )

    def get_urls(self):
        app, model = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/top-up/",
                self.admin_site.admin_view(self.top_up_view),
                name=f"{app}_{model}_top_up",
            ),
            path(
                "<path:object_id>/place-order/",
                self.admin_site.admin_view(self.place_order_view),
                name=f"{app}_{model}_place_order",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_top_up": request.user.has_perm("orders.add_ledgerentry"),
            "can_place_order": request.user.has_perm("orders.add_order"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # -- custom views --

    def _client_for(self, request: HttpRequest, object_id: str, permission: str) -> Client | None:
        """The client of a money view, or None when it does not exist.

        Topping up needs the ``add_ledgerentry`` permission and placing an order ``add_order``
        (the admin's own add forms for those models stay closed: the services write them).
        """
        client = self.get_object(request, unquote(object_id))
        if client is not None and not (
            self.has_view_or_change_permission(request, client)
            and request.user.has_perm(permission)
        ):
            raise PermissionDenied
        return client

    def _context(self, request, client, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": client,
            "client": client,
            "title": title,
            "balance": self.balance(client),
            **extra,
        }

    def top_up_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Credit money received from the client through ``services.top_up``."""
        client = self._client_for(request, object_id, "orders.add_ledgerentry")
        if client is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            form = TopUpForm(request.POST)
            if form.is_valid():
                now = timezone.now()
                try:
                    entry = services.top_up(
                        client=client,
                        amount=form.cleaned_data["amount"],
                        reason=form.cleaned_data["reason"],
                        idempotency_key=f"top-up:{form.cleaned_data['idempotency_key']}",
                        now=now,
                        created_by=request.user,
                    )
                except services.IdempotencyConflict:
                    form.add_error(
                        None,
                        gettext(
                            "This form was already used for a different top-up; "
                            "open the top-up page again to credit more."
                        ),
                    )
                except OrderError as error:
                    form.add_error(None, error.messages)
                else:
                    self._top_up_message(request, client, entry, now)
                    return HttpResponseRedirect(_change_url(client))
        else:
            form = TopUpForm(initial={"idempotency_key": uuid.uuid4()})
        title = gettext("Top up %(client)s") % {"client": client}
        return TemplateResponse(
            request,
            "admin/orders/client/top_up.html",
            self._context(request, client, title, form=form),
        )

    def _top_up_message(self, request, client, entry: LedgerEntry, now) -> None:
        if entry.created_at != now:
            # The service returned the entry of an earlier post of this very form.
            messages.warning(
                request,
                gettext("This top-up of %(amount)s was already credited; nothing changed.")
                % {"amount": entry.amount},
            )
            return
        self.log_change(request, client, gettext("Topped up %(amount)s") % {"amount": entry.amount})
        messages.success(
            request,
            gettext("Credited %(amount)s to %(client)s; the balance is now %(balance)s.")
            % {"amount": entry.amount, "client": client, "balance": entry.balance_after},
        )

    def place_order_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Place an order for the client in two steps (DESIGN §5, the 视频助推 module).

        Step 1 (GET) picks influencers; step 2 (GET ``step=review``) shows each line's price and
        quote from ``services.preview_order`` with a box to tick its boost; the review form posts
        back to update the totals or to confirm, which calls ``services.place_order`` with the
        prices shown and the review's idempotency key.
        """
        client = self._client_for(request, object_id, "orders.add_order")
        if client is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            return self._place_order_post(request, client)
        selected = _selected_ids(request.GET.getlist("i"))
        if request.GET.get("step") == "review":
            if not selected:
                messages.error(request, gettext("Pick at least one influencer."))
            else:
                return self._render_review(
                    request,
                    client,
                    [LineRequest(influencer_id=pk) for pk in selected],
                    idempotency_key=uuid.uuid4(),
                )
        return self._render_pick(request, client, selected)

    def _render_pick(self, request, client, selected: list[int]) -> HttpResponse:
        query = request.GET.get("q", "").strip()
        influencers = Influencer.objects.order_by("name", "pk")
        if query:
            influencers = influencers.filter(
                Q(name__icontains=query) | Q(platform_id__icontains=query)
            )
        page = Paginator(influencers, PICK_PAGE_SIZE).get_page(request.GET.get("p"))
        on_page = {influencer.pk for influencer in page}
        selected_set = set(selected)
        rows = [
            {
                "influencer": influencer,
                "selected": influencer.pk in selected_set,
                **_cached_quote(influencer),
            }
            for influencer in page
        ]
        elsewhere = list(
            Influencer.objects.filter(pk__in=selected_set - on_page).order_by("name", "pk")
        )
        title = gettext("Place an order for %(client)s: pick influencers") % {"client": client}
        return TemplateResponse(
            request,
            "admin/orders/client/place_order_pick.html",
            self._context(
                request,
                client,
                title,
                query=query,
                page=page,
                rows=rows,
                selected_elsewhere=elsewhere,
                selected_count=len(selected_set),
            ),
        )

    def _render_review(
        self,
        request,
        client,
        requests: list[LineRequest],
        *,
        idempotency_key,
        errors: list[str] | None = None,
    ) -> HttpResponse:
        now = timezone.now()
        ids = [r.influencer_id for r in requests]
        ticked = {r.influencer_id for r in requests if r.boost}
        try:
            # Always fresh prices: after "price changed" the operator reviews the new ones.
            preview = services.preview_module(
                client=client, influencer_ids=ids, ticked=ticked, now=now
            )
        except OrderError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(self._pick_url(client, ids))
        formset = ModuleLineFormSet(
            prefix="lines",
            initial=[
                {
                    "influencer_id": influencer.pk,
                    "fixed_price": influencer.fixed_price,
                    "boost_fee": quote.boost_fee,
                    "boost": request_.boost,
                }
                for influencer, request_, quote in preview.lines
            ],
        )
        rows = []
        for form, (influencer, request_, quote) in zip(formset, preview.lines, strict=True):
            if not quote.eligible:
                form.fields["boost"].widget.attrs["disabled"] = True
            rows.append(
                {
                    "form": form,
                    "influencer": influencer,
                    "quote": quote,
                    "boost": request_.boost,
                    "reason": quote.reason.label if quote.reason else "",
                    "premium_ratio": _percent(quote.premium_ratio),
                    "cap": cap_explanation(
                        expected_views=quote.expected_views,
                        fixed_price=influencer.fixed_price,
                        boost_fee=quote.boost_fee,
                    )
                    if quote.eligible
                    else "",
                }
            )
        title = gettext("Place an order for %(client)s: review") % {"client": client}
        return TemplateResponse(
            request,
            "admin/orders/client/place_order_review.html",
            self._context(
                request,
                client,
                title,
                preview=preview,
                totals={
                    "fixed": _money(preview.total_fixed),
                    "fees": _money(preview.total_fees),
                    "total": _money(preview.total),
                    "balance": _money(preview.balance),
                    "balance_after": _money(preview.balance_after),
                },
                rows=rows,
                formset=formset,
                key_form=OrderKeyForm(initial={"idempotency_key": idempotency_key}),
                errors=errors or [],
                pick_url=self._pick_url(client, ids),
                now=now,
            ),
        )

    def _place_order_post(self, request, client) -> HttpResponse:
        key_form = OrderKeyForm(request.POST)
        formset = ModuleLineFormSet(request.POST, prefix="lines")
        if not (key_form.is_valid() and formset.is_valid()) or not formset.forms:
            messages.error(
                request,
                gettext("The order form was incomplete; please pick the influencers again."),
            )
            return HttpResponseRedirect(self._pick_url(client, []))
        requests = [form.line_request() for form in formset]
        key = key_form.cleaned_data["idempotency_key"]
        if "confirm" not in request.POST:
            # "Update totals": check what was ticked against fresh quotes, then show the totals.
            try:
                services.preview_order(client=client, lines=requests, now=timezone.now())
            except OrderError as error:
                return self._render_review(
                    request, client, requests, idempotency_key=key, errors=error.messages
                )
            return self._render_review(request, client, requests, idempotency_key=key)
        now = timezone.now()
        try:
            order = services.place_order(
                client=client,
                lines=requests,
                idempotency_key=str(key),
                now=now,
                placed_by=request.user,
            )
        except OrderError as error:
            return self._render_review(
                request, client, requests, idempotency_key=key, errors=error.messages
            )
        if order.placed_at != now:
            # The service returned the order an earlier post of this very review placed.
            messages.warning(
                request,
                gettext("Order %(code)s was already placed; nothing was charged again.")
                % {"code": order.code},
            )
            return HttpResponseRedirect(_change_url(order))
        self.log_change(request, client, gettext("Placed order %(code)s") % {"code": order.code})
        messages.success(
            request, gettext("Order %(code)s is placed and paid.") % {"code": order.code}
        )
        return HttpResponseRedirect(_change_url(order))

    def _pick_url(self, client, ids: list[int]) -> str:
        url = reverse("admin:orders_client_place_order", args=[client.pk])
        return f"{url}?{urlencode([('i', pk) for pk in ids])}" if ids else url


def _selected_ids(values: list[str]) -> list[int]:
    """The picked influencer ids from the query string, in order, without junk or repeats."""
    ids: list[int] = []
    for value in values:
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids[:MAX_ORDER_LINES]


def _cached_quote(influencer: Influencer) -> dict:
    """The influencer's cached quote (``Influencer.quote``) as display values."""
    quote = influencer.quote or {}
    reason = quote.get("reason")
    return {
        "quoted": bool(quote),
        "eligible": bool(quote.get("eligible")),
        "reason": IneligibleReason(reason).label if reason in IneligibleReason.values else "",
        "expected_views": quote.get("expected_views"),
        "premium_ratio": _percent(quote.get("premium_ratio")),
        "boost_fee": quote.get("boost_fee"),
    }


@admin.register(ClientMembership)
class ClientMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "client"]
    list_select_related = ["user", "client"]
    search_fields = ["user__username", "user__email", "client__name", "client__code"]
    list_filter = ["client"]
    autocomplete_fields = ["user", "client"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only ledger (DESIGN §8): viewable, never added, edited or deleted here."""

    list_display = [
        "created_at",
        "client",
        "kind",
        "amount",
        "balance_after",
        "reference",
        "created_by",
        "reason",
    ]
    list_select_related = ["client", "order", "created_by"]
    list_filter = ["kind", "client"]
    search_fields = ["client__name", "client__code", "order__code", "reason", "idempotency_key"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "client",
        "kind",
        "amount",
        "balance_after",
        "order",
        "boost",
        "reason",
        "created_by",
        "idempotency_key",
    ]

    @admin.display(description=_("reference"))
    def reference(self, entry):
        parts = []
        if entry.order_id:
            parts.append(_link(_change_url(Order, entry.order_id), entry.order.code))
        if entry.boost_id:
            parts.append(
                _link(
                    _change_url(Boost, entry.boost_id),
                    gettext("boost #%(id)s") % {"id": entry.boost_id},
                )
            )
        return _or_empty(format_html_join(" · ", "{}", ((part,) for part in parts)))


# --- Influencers and their history -------------------------------------------------------------


class QuoteFilter(admin.SimpleListFilter):
    title = _("boost available")
    parameter_name = "quote"

    def lookups(self, request, model_admin):
        return [
            ("eligible", _("Yes")),
            ("ineligible", _("No")),
            ("none", _("Not quoted yet")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "eligible":
            return queryset.filter(quote__eligible=True)
        if self.value() == "ineligible":
            return queryset.filter(quote__eligible=False)
        if self.value() == "none":
            return queryset.filter(quote__isnull=True)
        return queryset


@admin.register(Influencer)
class InfluencerAdmin(admin.ModelAdmin):
    """Influencers with their cached current quote; saving one re-quotes it."""

    list_display = [
        "name",
        "platform_id",
        "fixed_price",
        "boost_enabled",
        "boost_available",
        "expected_views",
        "premium_ratio",
        "boost_fee",
        "quoted_at",
    ]
    search_fields = ["name", "platform_id"]
    list_filter = ["boost_enabled", QuoteFilter]
    date_hierarchy = "created_at"
    actions = ["refresh_quotes"]
    fieldsets = [
        (None, {"fields": ["name", "platform_id", "fixed_price", "boost_enabled"]}),
        (
            _("Current quote"),
            {
                "fields": [
                    "quoted_at",
                    "boost_available",
                    "expected_views",
                    "premium_ratio",
                    "boost_fee",
                    "quote_explanation",
                    "history_link",
                ]
            },
        ),
    ]
    readonly_fields = [
        "quoted_at",
        "boost_available",
        "expected_views",
        "premium_ratio",
        "boost_fee",
        "quote_explanation",
        "history_link",
    ]

    @admin.display(description=_("boost available"))
    def boost_available(self, influencer):
        quote = _cached_quote(influencer)
        if not quote["quoted"]:
            return gettext("Not quoted yet")
        return gettext("Yes") if quote["eligible"] else quote["reason"]

    @admin.display(description=_("expected views"))
    def expected_views(self, influencer):
        return _or_empty(_cached_quote(influencer)["expected_views"])

    @admin.display(description=_("premium ratio"))
    def premium_ratio(self, influencer):
        return _or_empty(_cached_quote(influencer)["premium_ratio"])

    @admin.display(description=_("boost fee"))
    def boost_fee(self, influencer):
        return _or_empty(_cached_quote(influencer)["boost_fee"])

    @admin.display(description=_("how the quote was reached"))
    def quote_explanation(self, influencer):
        return _or_empty(_preformatted((influencer.quote or {}).get("explanation")))

    @admin.display(description=_("history videos"))
    def history_link(self, influencer):
        if influencer.pk is None:
            return _or_empty(None)
        return _link(
            _changelist_url(HistoryVideo, influencer__id__exact=influencer.pk),
            gettext("History videos of this influencer"),
        )

    @admin.action(description=_("Refresh quotes"), permissions=["change"])
    def refresh_quotes(self, request, queryset):
        count = services.refresh_quotes(
            now=timezone.now(), influencer_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            ngettext("Refreshed %(count)d quote.", "Refreshed %(count)d quotes.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The price or the boost flag may have changed: the cached quote must follow.
        services.refresh_quotes(now=timezone.now(), influencer_ids=[obj.pk])


@admin.register(HistoryVideo)
class HistoryVideoAdmin(admin.ModelAdmin):
    """Pricing inputs; any change re-quotes the influencers it touches."""

    list_display = ["platform_video_id", "influencer", "published_at", "views", "updated_at"]
    list_select_related = ["influencer"]
    search_fields = ["platform_video_id", "influencer__name", "influencer__platform_id"]
    list_filter = ["influencer__boost_enabled"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["influencer"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        touched = {obj.influencer_id}
        if change and "influencer" in form.changed_data:
            touched.add(form.initial["influencer"])
        services.refresh_quotes(now=timezone.now(), influencer_ids=sorted(touched))

    def delete_model(self, request, obj):
        influencer_id = obj.influencer_id
        super().delete_model(request, obj)
        services.refresh_quotes(now=timezone.now(), influencer_ids=[influencer_id])

    def delete_queryset(self, request, queryset):
        influencer_ids = sorted(set(queryset.values_list("influencer_id", flat=True)))
        super().delete_queryset(request, queryset)
        services.refresh_quotes(now=timezone.now(), influencer_ids=influencer_ids)


# --- Orders ------------------------------------------------------------------------------------


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "influencer",
        "fixed_price",
        "platform_video_id",
        "published_at",
        "boost_link",
        "boost_status",
        "boost_fee",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("influencer", "boost")

    @admin.display(description=_("boost"))
    def boost_link(self, line):
        if not hasattr(line, "boost"):
            return gettext("No boost")
        return _link(_change_url(line.boost), gettext("boost #%(id)s") % {"id": line.boost.pk})

    @admin.display(description=_("boost status"))
    def boost_status(self, line):
        return _or_empty(line.boost.get_status_display() if hasattr(line, "boost") else None)

    @admin.display(description=_("boost fee"))
    def boost_fee(self, line):
        return _or_empty(line.boost.boost_fee if hasattr(line, "boost") else None)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders are placed through the client's "Place an order" view, never edited."""

    list_display = [
        "code",
        "client",
        "placed_at",
        "placed_by",
        "line_count",
        "total_fixed",
        "total_fees",
        "total",
    ]
    list_select_related = ["client", "placed_by"]
    search_fields = ["code", "client__name", "client__code", "idempotency_key"]
    list_filter = ["client"]
    date_hierarchy = "placed_at"
    fields = [
        "code",
        "client",
        "placed_at",
        "placed_by",
        "idempotency_key",
        "line_count",
        "total_fixed",
        "total_fees",
        "total",
        "ledger_link",
    ]
    readonly_fields = fields
    inlines = [OrderLineInline]

    def get_queryset(self, request):
        # One join over lines (boost is one-to-one with a line), so the sums are not multiplied.
        return (
            super()
            .get_queryset(request)
            .annotate(
                line_count=Count("lines"),
                fixed_sum=Sum("lines__fixed_price"),
                fees_sum=Sum("lines__boost__boost_fee"),
            )
        )

    @admin.display(description=_("lines"), ordering="line_count")
    def line_count(self, order):
        return order.line_count

    @admin.display(description=_("fixed prices"), ordering="fixed_sum")
    def total_fixed(self, order):
        return _money(order.fixed_sum)

    @admin.display(description=_("boost fees"), ordering="fees_sum")
    def total_fees(self, order):
        return _money(order.fees_sum)

    @admin.display(description=_("total"))
    def total(self, order):
        return self.total_fixed(order) + self.total_fees(order)

    @admin.display(description=_("ledger"))
    def ledger_link(self, order):
        return _link(
            _changelist_url(LedgerEntry, order__id__exact=order.pk),
            gettext("Ledger entries of this order"),
        )


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "client",
        "influencer",
        "fixed_price",
        "platform_video_id",
        "published_at",
        "boost_status",
    ]
    list_select_related = ["order__client", "influencer", "boost"]
    search_fields = [
        "order__code",
        "influencer__name",
        "influencer__platform_id",
        "platform_video_id",
    ]
    list_filter = ["boost__status"]
    date_hierarchy = "order__placed_at"

    @admin.display(description=_("client"), ordering="order__client__name")
    def client(self, line):
        return line.order.client

    @admin.display(description=_("boost status"), ordering="boost__status")
    def boost_status(self, line):
        return _or_empty(line.boost.get_status_display() if hasattr(line, "boost") else None)


# --- Boosts ------------------------------------------------------------------------------------


class BoostEventInline(ReadOnlyInline):
    model = BoostEvent
    fields = ["at", "from_status_label", "to_status_label", "actor_name", "note"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("from status"))
    def from_status_label(self, event):
        return _status_label(event.from_status)

    @admin.display(description=_("to status"))
    def to_status_label(self, event):
        return _status_label(event.to_status)


@admin.register(Boost)
class BoostAdmin(admin.ModelAdmin):
    """Boosts with their frozen quote and progress; status moves only through services.

    The change form is view-only (``has_change_permission`` is False for an object) while the
    changelist keeps the change permission, so a subclass (``settlements.admin``) can add actions
    gated by it: extend ``actions`` and ``inlines``, both lists.
    """

    actions: list = []
    inlines: list = [BoostEventInline]
    list_display = [
        "id",
        "order_code",
        "client",
        "influencer",
        "status",
        "expected_views",
        "latest_views",
        "progress",
        "days_left",
        "boost_fee",
        "premium_ratio_percent",
        "valid_until",
    ]
    list_display_links = ["id", "order_code"]
    list_select_related = ["line__order__client", "line__influencer"]
    list_filter = ["status"]
    search_fields = [
        "line__order__code",
        "line__influencer__name",
        "line__influencer__platform_id",
        "line__platform_video_id",
        "line__order__client__name",
    ]
    date_hierarchy = "valid_until"
    fieldsets = [
        (None, {"fields": ["order_code", "client", "influencer", "fixed_price", "video_id"]}),
        (
            _("Status"),
            {
                "fields": [
                    "status",
                    "status_changed_at",
                    "valid_until",
                    "window_start",
                    "window_end",
                    "days_left",
                ]
            },
        ),
        (
            _("Frozen quote"),
            {
                "fields": [
                    "expected_views",
                    "premium_ratio_percent",
                    "boost_fee",
                    "loss_ratio",
                    "quoted_at",
                    "cap",
                    "quote_explanation",
                ]
            },
        ),
        (_("Progress"), {"fields": ["latest_views", "progress", "snapshots"]}),
        (_("Quote inputs"), {"classes": ["collapse"], "fields": ["quote_inputs"]}),
    ]
    readonly_fields = [
        "line",
        "status",
        "expected_views",
        "premium_ratio",
        "boost_fee",
        "loss_ratio",
        "quote",
        "quoted_at",
        "valid_until",
        "window_start",
        "window_end",
        "status_changed_at",
        "order_code",
        "client",
        "influencer",
        "fixed_price",
        "video_id",
        "days_left",
        "premium_ratio_percent",
        "cap",
        "quote_explanation",
        "latest_views",
        "progress",
        "snapshots",
        "quote_inputs",
    ]

    def get_queryset(self, request):
        # Actual views count only up to the window end (DESIGN §5); later snapshots never count.
        latest = ViewSnapshot.objects.filter(
            line=OuterRef("line"), observed_at__lte=OuterRef("window_end")
        ).order_by("-observed_at")
        return (
            super()
            .get_queryset(request)
            .select_related("line__order__client", "line__influencer")
            .annotate(latest_views=Subquery(latest.values("views")[:1]))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("order"), ordering="line__order__code")
    def order_code(self, boost):
        return boost.line.order.code

    @admin.display(description=_("client"), ordering="line__order__client__name")
    def client(self, boost):
        return boost.line.order.client

    @admin.display(description=_("influencer"), ordering="line__influencer__name")
    def influencer(self, boost):
        return boost.line.influencer

    @admin.display(description=_("fixed price"))
    def fixed_price(self, boost):
        return boost.line.fixed_price

    @admin.display(description=_("platform video id"))
    def video_id(self, boost):
        return boost.line.platform_video_id

    @admin.display(description=_("premium ratio"), ordering="premium_ratio")
    def premium_ratio_percent(self, boost):
        return _or_empty(_percent(boost.premium_ratio))

    @admin.display(description=_("latest views"), ordering="latest_views")
    def latest_views(self, boost):
        return _or_empty(boost.latest_views)

    @admin.display(description=_("of expected"))
    def progress(self, boost):
        if boost.latest_views is None or not boost.expected_views:
            return _or_empty(None)
        return f"{100 * boost.latest_views / boost.expected_views:.1f} %"

    @admin.display(description=_("days left"))
    def days_left(self, boost):
        """Active: until the window ends; awaiting publish: until the boost expires."""
        if boost.status == BoostStatus.ACTIVE and boost.window_end:
            end = boost.window_end
        elif boost.status == BoostStatus.AWAITING_PUBLISH:
            end = boost.valid_until
        else:
            return _or_empty(None)
        return f"{(end - timezone.now()).total_seconds() / 86400:.1f}"

    @admin.display(description=_("what the cap means"))
    def cap(self, boost):
        return _or_empty(
            cap_explanation(
                expected_views=boost.expected_views,
                fixed_price=boost.line.fixed_price,
                boost_fee=boost.boost_fee,
            )
        )

    @admin.display(description=_("how the quote was reached"))
    def quote_explanation(self, boost):
        return _or_empty(_preformatted((boost.quote or {}).get("explanation")))

    @admin.display(description=_("quote inputs"))
    def quote_inputs(self, boost):
        return _preformatted(json.dumps(boost.quote, indent=2, ensure_ascii=False))

    @admin.display(description=_("view snapshots"))
    def snapshots(self, boost):
        rows = list(boost.line.snapshots.order_by("-observed_at")[:RECENT_ROWS])
        if not rows:
            return gettext("No view snapshots yet.")
        table = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(s.observed_at).strftime("%Y-%m-%d %H:%M"),
                    f"{s.views:,}",
                    gettext("after the window: does not count")
                    if boost.window_end and s.observed_at > boost.window_end
                    else "",
                )
                for s in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th></th></tr></thead><tbody>{}</tbody>"
            "</table><p>{}</p>",
            gettext("observed at"),
            gettext("views"),
            table,
            _link(
                _changelist_url(ViewSnapshot, line__id__exact=boost.line_id),
                gettext("All view snapshots of this video"),
            ),
        )


class StatusFilter(admin.SimpleListFilter):
    title = _("to status")
    parameter_name = "to_status"

    def lookups(self, request, model_admin):
        return BoostStatus.choices

    def queryset(self, request, queryset):
        return queryset.filter(to_status=self.value()) if self.value() else queryset


@admin.register(BoostEvent)
class BoostEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only audit of boost status changes."""

    list_display = ["at", "boost_link", "order_code", "influencer", "change", "actor_name", "note"]
    list_select_related = ["boost__line__order", "boost__line__influencer"]
    list_filter = [StatusFilter]
    search_fields = [
        "boost__line__order__code",
        "boost__line__influencer__name",
        "actor_name",
        "note",
    ]
    date_hierarchy = "at"

    @admin.display(description=_("boost"), ordering="boost_id")
    def boost_link(self, event):
        return _link(
            _change_url(Boost, event.boost_id), gettext("boost #%(id)s") % {"id": event.boost_id}
        )

    @admin.display(description=_("order"), ordering="boost__line__order__code")
    def order_code(self, event):
        return event.boost.line.order.code

    @admin.display(description=_("influencer"))
    def influencer(self, event):
        return event.boost.line.influencer

    @admin.display(description=_("status change"))
    def change(self, event):
        return f"{_status_label(event.from_status)} → {_status_label(event.to_status)}"


@admin.register(ViewSnapshot)
class ViewSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["observed_at", "video_id", "order_code", "influencer", "views", "received_at"]
    list_select_related = ["line__order", "line__influencer"]
    list_filter = ["line__boost__status"]
    search_fields = ["line__platform_video_id", "line__order__code", "line__influencer__name"]
    date_hierarchy = "observed_at"

    @admin.display(description=_("platform video id"), ordering="line__platform_video_id")
    def video_id(self, snapshot):
        return snapshot.line.platform_video_id

    @admin.display(description=_("order"), ordering="line__order__code")
    def order_code(self, snapshot):
        return snapshot.line.order.code

    @admin.display(description=_("influencer"))
    def influencer(self, snapshot):
        return snapshot.line.influencer
