"""Clients in the admin: their balance and memberships, and the two money views that call the
services: top up (``services.top_up``) and place an order (the 视频助推 module, DESIGN §5).

Who sees what is data: the latest ledger rows need ``VIEW_LEDGER``, the Top up link
``orders.add_ledgerentry`` and the Place an order link ``orders.add_order`` (``MONEY_LINKS``).
Memberships (who signs in for the client) are in ``memberships``."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.display import percent
from kernel.money import CENT, to_fen

from .. import selectors, services
from ..forms import MAX_ORDER_LINES, ModuleLineFormSet, OrderKeyForm
from ..models import Client, Influencer, LedgerEntry, Order
from ..services import LineRequest, OrderError
from .base import (
    RECENT_ROWS,
    cached_quote,
    cap_explanation,
    change_url,
    changelist_url,
    link,
    or_empty,
)
from .memberships import ClientMembershipInline
from .visibility import VIEW_LEDGER, PermissionFieldsMixin

# Influencers per page on step 1 of placing an order.
PICK_PAGE_SIZE = 25

# The money views of a client, each with the permission its link and its page need.
MONEY_LINKS = (
    ("orders.add_ledgerentry", "admin:orders_client_top_up", _("Top up")),
    ("orders.add_order", "admin:orders_client_place_order", _("Place an order")),
)


class ClientBalanceFilter(admin.SimpleListFilter):
    """Clients with money left, or with none (no entries yet counts as zero)."""

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


class TopUpForm(forms.Form):
    """Money received from a client. The hidden key is minted when the form is first shown, so
    posting the same form twice (a double click, a browser retry) credits once."""

    amount = forms.DecimalField(
        label=_("amount"), max_digits=14, decimal_places=2, min_value=CENT
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        help_text=_("Kept on the ledger entry for the audit, e.g. the bank transfer reference."),
        widget=forms.TextInput(attrs={"size": 60}),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)


class ClientAdmin(PermissionFieldsMixin, admin.ModelAdmin):
    """Clients with their balance, and the two money actions: top up, place an order."""

    list_display = [
        "name",
        "code",
        "balance",
        "order_count",
        "contact_email",
        "created_at",
    ]
    list_display_links = ["name", "code"]
    ordering = ["name", "pk"]
    search_fields = ["name", "code", "contact_email"]
    list_filter = [ClientBalanceFilter]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["name", "code", "contact_email", "created_at"]}),
        (_("Account"), {"fields": ["balance", "order_count", "recent_ledger_entries"]}),
    ]
    readonly_fields = ["created_at", "balance", "order_count", "recent_ledger_entries"]
    inlines = [ClientMembershipInline]
    field_permissions = {"recent_ledger_entries": VIEW_LEDGER}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                balance=selectors.balance_subquery(),
                order_count=Count("orders", distinct=True),
            )
        )

    @admin.display(description=_("balance"), ordering="balance")
    def balance(self, client):
        return to_fen(getattr(client, "balance", None))  # an unsaved client has none

    @admin.display(description=_("orders"), ordering="order_count")
    def order_count(self, client):
        if not getattr(client, "order_count", 0):
            return 0
        return link(changelist_url(Order, client__id__exact=client.pk), client.order_count)

    def get_list_display(self, request):
        """Last, the money column: only the links the user may follow, and none without any."""
        allowed = [(name, text) for perm, name, text in MONEY_LINKS if request.user.has_perm(perm)]
        columns = list(super().get_list_display(request))
        if not allowed:
            return columns

        @admin.display(description=_("money"))
        def money_links(client):
            links = ((reverse(name, args=[client.pk]), text) for name, text in allowed)
            return format_html_join(" · ", '<a href="{}">{}</a>', links)

        return [*columns, money_links]

    @admin.display(description=_("latest ledger entries"))
    def recent_ledger_entries(self, client):
        if client.pk is None:
            return or_empty(None)
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
            link(
                changelist_url(LedgerEntry, client__id__exact=client.pk),
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
        top_up, place_order = (request.user.has_perm(perm) for perm, _name, _text in MONEY_LINKS)
        extra_context = {
            **(extra_context or {}),
            "can_top_up": top_up,
            "can_place_order": place_order,
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
                    return HttpResponseRedirect(change_url(client))
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
        influencers = selectors.influencers_for_picking(query)
        page = Paginator(influencers, PICK_PAGE_SIZE).get_page(request.GET.get("p"))
        on_page = {influencer.pk for influencer in page}
        selected_set = set(selected)
        rows = [
            {
                "influencer": influencer,
                "selected": influencer.pk in selected_set,
                **cached_quote(influencer),
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
                    "premium_ratio": percent(quote.premium_ratio),
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
                    "fixed": to_fen(preview.total_fixed),
                    "fees": to_fen(preview.total_fees),
                    "total": to_fen(preview.total),
                    "balance": to_fen(preview.balance),
                    "balance_after": to_fen(preview.balance_after),
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
            return HttpResponseRedirect(change_url(order))
        self.log_change(request, client, gettext("Placed order %(code)s") % {"code": order.code})
        messages.success(
            request, gettext("Order %(code)s is placed and paid.") % {"code": order.code}
        )
        return HttpResponseRedirect(change_url(order))

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
