"""The new-order pages: pick influencers, then the 视频助推 module, then confirm and pay.

Step 1 picks influencers (search, pages; the picks travel in the query string). Step 2 is the
视频助推 module built by ``orders.module`` — the same view-model as the admin's review — with the
totals and the balance after. Its form carries the prices shown, so a changed price is refused.

The flow is one form instance (``kernel.replay``): the first GET is redirected to the same URL
with a signed form id, every step keeps it, and the order key derives from it. Back, a refresh
or a second confirm of the same flow therefore returns the first order and charges nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kernel import replay
from kernel.display import yuan
from kernel.money import ZERO
from orders import module, money_forms, selectors, services
from orders.forms import KEY_FIELD, OrderKeyForm
from orders.models import Client, Order
from orders.services import IdempotencyConflict, InsufficientBalance, LineRequest, OrderError

from ..access import ClientRequest, client_required, render_page


@require_http_methods(["GET", "POST"])
@client_required
def order_new(request: ClientRequest) -> HttpResponse:
    """Place an order in two steps, as in the seed article's first step."""
    if request.method == "POST":
        return _module_post(request)
    token = request.GET.get(replay.FORM_PARAM, "")
    if not token:
        return redirect(replay.url_with(request, _issue(request)))
    try:
        instance = _verify(request, token)
    except replay.FormInstanceRefused as error:
        return _refused(request, error)
    placed = money_forms.placed_order(request.client, instance.id)
    selected = module.picked_ids(request.GET.getlist(module.PICK_PARAM))
    if request.GET.get(module.STEP_PARAM) == module.MODULE_STEP:
        if placed is not None:
            return _render_module(request, instance, money_forms.placed_lines(placed))
        if selected:
            return _render_module(request, instance, [LineRequest(pk) for pk in selected])
        messages.error(request, _("Pick at least one influencer."))
    return _render_pick(request, instance, selected, placed)


def _render_pick(
    request: ClientRequest,
    instance: replay.FormInstance,
    selected: list[int],
    placed: Order | None,
) -> HttpResponse:
    pick = module.pick_page(
        query=request.GET.get("q", ""),
        page_number=request.GET.get(module.PAGE_PARAM),
        selected=selected,
    )
    return render_page(
        request,
        "portal/order_pick.html",
        {
            "title": _("New order"),
            "pick": pick,
            "page": pick.page,
            "rows": pick.rows,
            "form_token": instance.token,
            **_already_placed(placed),
        },
        nav="new",
    )


def _render_module(
    request: ClientRequest,
    instance: replay.FormInstance,
    lines: list[LineRequest],
    *,
    errors: list[str] | None = None,
) -> HttpResponse:
    """The 视频助推 module for the picked lines, re-quoted now; ticks kept where still available."""
    try:
        # Always fresh numbers: after "the price changed" the client sees the new ones.
        shown = module.build_module(client=request.client, lines=lines, now=timezone.now())
    except OrderError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_flow_url(instance))
    return render_page(
        request,
        "portal/order_module.html",
        {
            "title": _("Video boost"),
            "preview": shown.preview,
            "rows": shown.rows,
            "formset": shown.formset,
            "totals": shown.totals,
            "key_form": OrderKeyForm(initial={KEY_FIELD: instance.token}),
            "errors": errors or [],
            "pick_url": _flow_url(instance, shown.ids),
            "module_url": _flow_url(instance, shown.ids, step=module.MODULE_STEP),
            **_already_placed(money_forms.placed_order(request.client, instance.id)),
        },
        nav="new",
    )


def _module_post(request: ClientRequest) -> HttpResponse:
    lines = module.posted_lines(request.POST)
    key_form = OrderKeyForm(request.POST)
    if lines is None or not key_form.is_valid():
        messages.error(
            request, _("The order form was incomplete; please pick the influencers again.")
        )
        return redirect(_flow_url(None))
    try:
        instance = _verify(request, key_form.cleaned_data[KEY_FIELD])
    except replay.FormInstanceRefused as error:
        return _refused(request, error)
    client = request.client
    if "confirm" not in request.POST:
        # "Update totals": check the ticks against fresh quotes, then show the totals.
        try:
            services.preview_order(client=client, lines=lines, now=timezone.now())
        except OrderError as error:
            return _render_module(request, instance, lines, errors=error.messages)
        return _render_module(request, instance, lines)
    now = timezone.now()
    try:
        order, created = services.place_order(
            client=client,
            lines=lines,
            idempotency_key=money_forms.order_key(instance.id),
            now=now,
            placed_by=request.user,
        )
    except InsufficientBalance:
        return _render_module(
            request, instance, lines, errors=[_insufficient_message(client, lines, now)]
        )
    except IdempotencyConflict as error:
        # This flow already placed an order with other ticks: a new form instance, so the client
        # places the new choice only when they confirm it deliberately.
        return _render_module(request, _issue(request), lines, errors=error.messages)
    except OrderError as error:
        return _render_module(request, instance, lines, errors=error.messages)
    if created:
        messages.success(
            request,
            _("Order %(code)s is placed and paid. Your balance is now %(balance)s.")
            % {"code": order.code, "balance": yuan(selectors.client_balance(client))},
        )
    else:
        messages.info(request, money_forms.already_placed(order))
    return redirect("portal:order_detail", code=order.code)


def _already_placed(placed: Order | None) -> dict[str, str]:
    """What a page of a flow that already placed its order says, and links to."""
    if placed is None:
        return {"already": ""}
    return {
        "already": money_forms.already_placed(placed),
        "result_url": reverse("portal:order_detail", args=[placed.code]),
        "new_form_url": _flow_url(None),
    }


def _flow_url(instance: replay.FormInstance | None, ids: Sequence[int] = (), step: str = "") -> str:
    """A step of this flow with ``ids`` picked (no instance: a new flow)."""
    return module.flow_url(
        reverse("portal:order_new"), token=instance.token if instance else "", ids=ids, step=step
    )


def _issue(request: ClientRequest) -> replay.FormInstance:
    return replay.issue(
        money_forms.PORTAL_ORDER_FORM, user_id=request.user.pk, scope=str(request.client.pk)
    )


def _verify(request: ClientRequest, token: str) -> replay.FormInstance:
    return replay.verify(
        token, money_forms.PORTAL_ORDER_FORM, user_id=request.user.pk, scope=str(request.client.pk)
    )


def _refused(request: ClientRequest, error: replay.FormInstanceRefused) -> HttpResponse:
    """400: the form id was forged, another user's or expired; nothing was written."""
    response = render_page(
        request,
        "portal/order_form_refused.html",
        {"title": _("New order"), "reasons": error.messages},
        nav="new",
    )
    response.status_code = 400
    return response


def _insufficient_message(client: Client, lines: list[LineRequest], now: datetime) -> str:
    """Say how much is missing, in plain words; nothing was written."""
    try:
        preview = services.preview_order(client=client, lines=lines, now=now)
    except OrderError as error:
        return " ".join(error.messages)
    return _(
        "Your balance is not enough: this order costs %(total)s and your balance is "
        "%(balance)s, so %(missing)s is missing. Nothing was charged. Please top up your "
        "account and confirm again."
    ) % {
        "total": yuan(preview.total),
        "balance": yuan(preview.balance),
        "missing": yuan(max(ZERO, -preview.balance_after)),
    }
