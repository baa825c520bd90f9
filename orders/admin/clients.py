"""Clients in the admin: their balance and memberships, and the two money views that call the
services: top up (``services.top_up``) and place an order (the 视频助推 module, DESIGN §5).

Both money views are replay-safe (STYLE 12): a form instance (``kernel.replay``) is issued on the
first GET and kept in the URL, the service key derives from it (``orders.money_forms``), and a
resubmission after Back or a refresh returns the first result with a message saying so.

Who sees what is data: the latest ledger rows need ``VIEW_LEDGER``, the Top up link
``orders.add_ledgerentry`` and the Place an order link ``orders.add_order`` (``MONEY_LINKS``).
Memberships (who signs in for the client) are in ``memberships``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel import replay
from kernel.display import minute, yuan
from kernel.money import to_fen

from .. import module, money_forms, selectors, services
from ..forms import KEY_FIELD, OrderKeyForm, TopUpForm
from ..ledger_reasons import ledger_reason
from ..models import Client, LedgerEntry, Order
from ..services import LineRequest, OrderError
from .base import (
    RECENT_ROWS,
    ConditionFilter,
    admin_view_path,
    change_url,
    changelist_url,
    link,
    or_empty,
)
from .memberships import ClientMembershipInline
from .visibility import VIEW_LEDGER, PermissionFieldsMixin

# The money views of a client, each with the permission its link and its page need.
MONEY_LINKS = (
    ("orders.add_ledgerentry", "admin:orders_client_top_up", _("Top up")),
    ("orders.add_order", "admin:orders_client_place_order", _("Place an order")),
)


class ClientBalanceFilter(ConditionFilter):
    """Clients with money left, or with none (no entries yet counts as zero)."""

    title = _("balance")
    parameter_name = "balance"
    conditions = {
        "positive": (_("Positive"), Q(balance__gt=0)),
        "zero": (_("Zero"), Q(balance__isnull=True) | Q(balance=0)),
    }


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
        return yuan(to_fen(getattr(client, "balance", None)))  # an unsaved client has none

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
                    minute(e.created_at),
                    e.get_kind_display(),
                    e.amount,
                    e.balance_after,
                    e.order.code if e.order else "",
                    ledger_reason(e.reason),
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
        return [
            admin_view_path(self, "<path:object_id>/top-up/", self.top_up_view, "top_up"),
            admin_view_path(
                self, "<path:object_id>/place-order/", self.place_order_view, "place_order"
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

    def _page(
        self, request, client, template: str, title: str, *, status: int = 200, **extra: Any
    ) -> TemplateResponse:
        """A page of one of ``client``'s money views, with what every such page shows."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": client,
            "client": client,
            "title": title,
            "balance": self.balance(client),
            **extra,
        }
        return TemplateResponse(request, template, context, status=status)

    def top_up_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Credit money received from the client through ``services.top_up``, once per form.

        The form instance (``kernel.replay``) is issued on the first GET and kept in the URL, so
        Back or a refresh shows the same form, and posting it again returns the first credit.
        """
        client = self._client_for(request, object_id, "orders.add_ledgerentry")
        if client is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        title = gettext("Top up %(client)s") % {"client": client}
        posted = request.POST.get(KEY_FIELD, "") if request.method == "POST" else None
        instance = self._form_instance(request, client, money_forms.TOP_UP_FORM, title, posted)
        if isinstance(instance, HttpResponse):
            return instance
        booked = money_forms.booked_top_up(client, instance.id)
        if request.method == "POST":
            form = TopUpForm(request.POST)
            if form.is_valid():
                response = self._book_top_up(request, client, form, instance, booked)
                if response is not None:
                    return response
        else:
            initial = {KEY_FIELD: instance.token}
            if booked is not None:  # show what this form booked; posting it again books nothing
                initial.update(amount=booked.amount, reason=booked.reason)
            form = TopUpForm(initial=initial)
        return self._page(
            request,
            client,
            "admin/orders/client/top_up.html",
            title,
            form=form,
            already=money_forms.already_credited(booked) if booked else "",
            result_url=change_url(booked) if booked else "",
            new_form_url=replay.url_with(request, None),
        )

    def _book_top_up(
        self, request, client, form: TopUpForm, instance: replay.FormInstance, booked
    ) -> HttpResponse | None:
        """Call ``services.top_up`` with the form's key; None when the form shows an error."""
        now = timezone.now()
        try:
            entry = services.top_up(
                client=client,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                idempotency_key=money_forms.top_up_key(instance.id),
                now=now,
                created_by=request.user,
            )
        except services.IdempotencyConflict:
            form.add_error(
                None,
                gettext(
                    "This form already credited %(amount)s; nothing more was credited. Start a "
                    "new top-up to credit another amount."
                )
                % {"amount": yuan(booked.amount) if booked else ""},
            )
            return None
        except OrderError as error:
            form.add_error(None, error.messages)
            return None
        if booked is not None:
            messages.warning(request, money_forms.already_credited(entry))
        else:
            self.log_change(
                request, client, gettext("Topped up %(amount)s") % {"amount": entry.amount}
            )
            messages.success(
                request,
                gettext("Credited %(amount)s to %(client)s; the balance is now %(balance)s.")
                % {"amount": entry.amount, "client": client, "balance": entry.balance_after},
            )
        return HttpResponseRedirect(change_url(client))

    def place_order_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Place an order for the client in two steps (DESIGN §5, the 视频助推 module).

        Step 1 (GET) picks influencers; step 2 (GET ``step=module``) shows the module built by
        ``orders.module`` with a box to tick each boost; it posts back to update the totals or to
        confirm, which calls ``services.place_order`` with the prices shown. One form instance
        (``kernel.replay``) runs through both steps in the URL, and the order key derives from it.
        """
        client = self._client_for(request, object_id, "orders.add_order")
        if client is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            return self._place_order_post(request, client)
        instance = self._form_instance(
            request, client, money_forms.ADMIN_ORDER_FORM, self._order_title(client)
        )
        if isinstance(instance, HttpResponse):
            return instance
        placed = money_forms.placed_order(client, instance.id)
        selected = module.picked_ids(request.GET.getlist(module.PICK_PARAM))
        if request.GET.get(module.STEP_PARAM) == module.MODULE_STEP:
            if placed is not None:
                return self._render_review(
                    request, client, instance, money_forms.placed_lines(placed)
                )
            if selected:
                return self._render_review(
                    request, client, instance, [LineRequest(influencer_id=pk) for pk in selected]
                )
            messages.error(request, gettext("Pick at least one influencer."))
        return self._render_pick(request, client, instance, selected, placed)

    def _render_pick(
        self, request, client, instance: replay.FormInstance, selected: list[int], placed
    ) -> HttpResponse:
        pick = module.pick_page(
            query=request.GET.get("q", ""),
            page_number=request.GET.get(module.PAGE_PARAM),
            selected=selected,
        )
        return self._page(
            request,
            client,
            "admin/orders/client/place_order_pick.html",
            gettext("Place an order for %(client)s: pick influencers") % {"client": client},
            pick=pick,
            page=pick.page,
            rows=pick.rows,
            form_token=instance.token,
            **self._already_placed(client, placed),
        )

    def _render_review(
        self,
        request,
        client,
        instance: replay.FormInstance,
        lines: list[LineRequest],
        *,
        errors: list[str] | None = None,
    ) -> HttpResponse:
        try:
            # Always fresh prices: after "price changed" the operator reviews the new ones.
            shown = module.build_module(client=client, lines=lines, now=timezone.now())
        except OrderError as error:
            for message in error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(self._pick_url(client, instance, []))
        return self._page(
            request,
            client,
            "admin/orders/client/place_order_review.html",
            gettext("Place an order for %(client)s: review") % {"client": client},
            preview=shown.preview,
            totals=shown.totals,
            rows=shown.rows,
            formset=shown.formset,
            key_form=OrderKeyForm(initial={KEY_FIELD: instance.token}),
            errors=errors or [],
            pick_url=self._pick_url(client, instance, shown.ids),
            module_url=module.flow_url(
                self._pick_url(client, None, []),
                token=instance.token,
                ids=shown.ids,
                step=module.MODULE_STEP,
            ),
            **self._already_placed(client, money_forms.placed_order(client, instance.id)),
        )

    def _place_order_post(self, request, client) -> HttpResponse:
        lines = module.posted_lines(request.POST)
        key_form = OrderKeyForm(request.POST)
        if lines is None or not key_form.is_valid():
            messages.error(
                request,
                gettext("The order form was incomplete; please pick the influencers again."),
            )
            return HttpResponseRedirect(self._pick_url(client, None, []))
        instance = self._form_instance(
            request,
            client,
            money_forms.ADMIN_ORDER_FORM,
            self._order_title(client),
            key_form.cleaned_data[KEY_FIELD],
        )
        if isinstance(instance, HttpResponse):
            return instance
        if "confirm" not in request.POST:
            # "Update totals": check what was ticked against fresh quotes, then show the totals.
            try:
                services.preview_order(client=client, lines=lines, now=timezone.now())
            except OrderError as error:
                return self._render_review(request, client, instance, lines, errors=error.messages)
            return self._render_review(request, client, instance, lines)
        try:
            order, created = services.place_order(
                client=client,
                lines=lines,
                idempotency_key=money_forms.order_key(instance.id),
                now=timezone.now(),
                placed_by=request.user,
            )
        except services.IdempotencyConflict as error:
            # This form already placed an order with other ticks: a new form instance, so the new
            # choice is placed only when the operator confirms it deliberately.
            fresh = self._issue(request, client, money_forms.ADMIN_ORDER_FORM)
            return self._render_review(request, client, fresh, lines, errors=error.messages)
        except OrderError as error:
            return self._render_review(request, client, instance, lines, errors=error.messages)
        if not created:
            messages.warning(request, money_forms.already_placed(order))
            return HttpResponseRedirect(change_url(order))
        self.log_change(request, client, gettext("Placed order %(code)s") % {"code": order.code})
        messages.success(
            request, gettext("Order %(code)s is placed and paid.") % {"code": order.code}
        )
        return HttpResponseRedirect(change_url(order))

    def _already_placed(self, client, placed) -> dict[str, Any]:
        """What a page of a form instance that already placed its order says, and links to."""
        if placed is None:
            return {"already": ""}
        return {
            "already": money_forms.already_placed(placed),
            "result_url": change_url(placed),
            "new_form_url": self._pick_url(client, None, []),
        }

    def _order_title(self, client) -> str:
        return gettext("Place an order for %(client)s") % {"client": client}

    def _pick_url(self, client, instance: replay.FormInstance | None, ids: list[int]) -> str:
        """Step 1 of this form instance with ``ids`` picked (no instance: a new form)."""
        url = reverse("admin:orders_client_place_order", args=[client.pk])
        return module.flow_url(url, token=instance.token if instance else "", ids=ids)

    # -- form instances (kernel.replay): issued here, verified before anything is written --

    def _issue(self, request, client, kind: str) -> replay.FormInstance:
        return replay.issue(kind, user_id=request.user.pk, scope=str(client.pk))

    def _form_instance(
        self, request, client, kind: str, title: str, token: str | None = None
    ) -> replay.FormInstance | HttpResponse:
        """The verified form instance of ``token`` (posted), or of the URL's on a GET.

        A GET without one is redirected to a new instance; a refused token answers 400.
        """
        if token is None:
            token = request.GET.get(replay.FORM_PARAM, "")
            if not token:
                return HttpResponseRedirect(
                    replay.url_with(request, self._issue(request, client, kind))
                )
        try:
            return replay.verify(token, kind, user_id=request.user.pk, scope=str(client.pk))
        except replay.FormInstanceRefused as error:
            return self._refused(request, client, title, error)

    def _refused(self, request, client, title: str, error: replay.FormInstanceRefused):
        """400: the form id was forged, foreign or expired; nothing was written."""
        return self._page(
            request,
            client,
            "admin/orders/client/form_refused.html",
            title,
            status=400,
            reasons=error.messages,
            new_form_url=replay.url_with(request, None),
        )
