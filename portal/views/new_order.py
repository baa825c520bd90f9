"""The new-order pages: pick influencers, then the 视频助推 module, then confirm and pay.

Step 1 picks influencers (search, pages; the picks travel in the query string). Step 2 is the
视频助推 module: a fresh re-quote of every picked influencer from ``services.preview_module``, a
box to tick per available boost, the totals and the balance after. Its form carries the prices
shown and a key minted when the page was rendered; confirming calls ``services.place_order`` with
both, so a changed price is refused and a double submit places one order.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kernel.display import grouped, percent, yuan
from kernel.money import ZERO, to_fen
from orders import selectors, services
from orders.forms import MAX_ORDER_LINES, ModuleLineFormSet, OrderKeyForm
from orders.models import Client
from orders.pricing import IneligibleReason, whole_fee_threshold
from orders.services import IdempotencyConflict, InsufficientBalance, LineRequest, OrderError

from ..access import ClientRequest, client_required, render_page

PICK_PAGE_SIZE = 20


def _selected_ids(values: list[str]) -> list[int]:
    """The picked influencer ids from the query string, in order, without junk or repeats."""
    ids: list[int] = []
    for value in values:
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids[:MAX_ORDER_LINES]


def _in_fen(amount: Decimal | None) -> int:
    """An amount as a whole number of fen, for the page script's running totals."""
    return int(to_fen(amount).scaleb(2))


@require_http_methods(["GET", "POST"])
@client_required
def order_new(request: ClientRequest) -> HttpResponse:
    """Place an order in two steps, as in the seed article's first step."""
    if request.method == "POST":
        return _module_post(request)
    selected = _selected_ids(request.GET.getlist("i"))
    if request.GET.get("step") == "module":
        if selected:
            return _render_module(
                request, [LineRequest(influencer_id=pk) for pk in selected], key=uuid.uuid4()
            )
        messages.error(request, _("Pick at least one influencer."))
    return _render_pick(request, selected)


def _render_pick(request: ClientRequest, selected: list[int]) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.influencers_for_picking(query), PICK_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    on_page = {influencer.pk for influencer in page}
    rows = []
    for influencer in page:
        quote = influencer.quote or {}
        reason = quote.get("reason")
        rows.append(
            {
                "influencer": influencer,
                "selected": influencer.pk in selected,
                "quoted": bool(quote),
                "eligible": bool(quote.get("eligible")),
                "reason": IneligibleReason(reason).label
                if reason in IneligibleReason.values
                else "",
                "price": yuan(influencer.fixed_price),
                "expected_views": grouped(quote.get("expected_views")),
                "premium_ratio": percent(quote.get("premium_ratio")),
                "boost_fee": yuan(Decimal(quote["boost_fee"])) if quote.get("boost_fee") else "",
            }
        )
    return render_page(
        request,
        "portal/order_pick.html",
        {
            "query": query,
            "page": page,
            "rows": rows,
            "kept": [pk for pk in selected if pk not in on_page],
            "selected_count": len(selected),
        },
        nav="new",
    )


def _pick_url(ids: list[int]) -> str:
    url = reverse("portal:order_new")
    return f"{url}?{urlencode([('i', pk) for pk in ids])}" if ids else url


def _render_module(
    request: ClientRequest,
    requests: list[LineRequest],
    *,
    key: uuid.UUID,
    errors: list[str] | None = None,
) -> HttpResponse:
    """The 视频助推 module for the picked lines, re-quoted now; ticks kept where still available."""
    now = timezone.now()
    client = request.client
    ids = [r.influencer_id for r in requests]
    ticked = {r.influencer_id for r in requests if r.boost}
    try:
        # Always fresh numbers: after "the price changed" the client sees the new ones.
        preview = services.preview_module(client=client, influencer_ids=ids, ticked=ticked, now=now)
    except OrderError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_pick_url([]))
    formset = ModuleLineFormSet(
        prefix="lines",
        initial=[
            {
                "influencer_id": influencer.pk,
                "fixed_price": influencer.fixed_price,
                "boost_fee": quote.boost_fee,
                "boost": line.boost,
            }
            for influencer, line, quote in preview.lines
        ],
    )
    rows = []
    for form, (influencer, line, quote) in zip(formset, preview.lines, strict=True):
        if not quote.eligible:
            form.fields["boost"].widget.attrs["disabled"] = True
        form.fields["boost"].widget.attrs.update(
            {"data-fee-fen": _in_fen(quote.boost_fee), "class": "boost-tick"}
        )
        rows.append(
            {
                "form": form,
                "influencer": influencer,
                "quote": quote,
                "ticked": line.boost,
                "price": yuan(influencer.fixed_price),
                "expected_views": grouped(quote.expected_views),
                "boost_fee": yuan(quote.boost_fee),
                "reason": quote.reason.label if quote.reason else "",
                "premium_ratio": percent(quote.premium_ratio),
                "threshold": whole_fee_threshold(
                    quote.expected_views, influencer.fixed_price, quote.boost_fee
                )
                if quote.eligible and quote.boost_fee is not None
                else None,
            }
        )
    missing = -preview.balance_after if preview.balance_after < 0 else None
    return render_page(
        request,
        "portal/order_module.html",
        {
            "preview": preview,
            "rows": rows,
            "formset": formset,
            "key_form": OrderKeyForm(initial={"idempotency_key": key}),
            "errors": errors or [],
            "missing": yuan(missing),
            "totals": {
                "fixed": yuan(preview.total_fixed),
                "fees": yuan(preview.total_fees),
                "total": yuan(preview.total),
                "balance": yuan(preview.balance),
                "after": yuan(preview.balance_after),
            },
            "available_count": sum(quote.eligible for _i, _r, quote in preview.lines),
            "pick_url": _pick_url(ids),
            "totals_fen": {
                "fixed": _in_fen(preview.total_fixed),
                "balance": _in_fen(preview.balance),
            },
        },
        nav="new",
    )


def _module_post(request: ClientRequest) -> HttpResponse:
    key_form = OrderKeyForm(request.POST)
    formset = ModuleLineFormSet(request.POST, prefix="lines")
    if not (key_form.is_valid() and formset.is_valid()):
        messages.error(
            request, _("The order form was incomplete; please pick the influencers again.")
        )
        return redirect(_pick_url([]))
    requests = [form.line_request() for form in formset]
    key = key_form.cleaned_data["idempotency_key"]
    client = request.client
    if "confirm" not in request.POST:
        # "Update totals": check the ticks against fresh quotes, then show the totals.
        try:
            services.preview_order(client=client, lines=requests, now=timezone.now())
        except OrderError as error:
            return _render_module(request, requests, key=key, errors=error.messages)
        return _render_module(request, requests, key=key)
    now = timezone.now()
    # Only for the message below: place_order itself returns the first order for a repeated key.
    already_placed = selectors.client_order_with_key(client, str(key)) is not None
    try:
        order = services.place_order(
            client=client,
            lines=requests,
            idempotency_key=str(key),
            now=now,
            placed_by=request.user,
        )
    except InsufficientBalance:
        return _render_module(
            request, requests, key=key, errors=[_insufficient_message(client, requests, now)]
        )
    except IdempotencyConflict as error:
        # This page already placed an order with other ticks (e.g. after "back"): a new page, a
        # new key, so the client can place the new choice deliberately.
        return _render_module(request, requests, key=uuid.uuid4(), errors=error.messages)
    except OrderError as error:
        return _render_module(request, requests, key=key, errors=error.messages)
    if already_placed:
        messages.info(
            request,
            _("Order %(code)s was already placed; nothing was charged again.")
            % {"code": order.code},
        )
    else:
        messages.success(
            request,
            _("Order %(code)s is placed and paid. Your balance is now %(balance)s.")
            % {"code": order.code, "balance": yuan(selectors.client_balance(client))},
        )
    return redirect("portal:order_detail", code=order.code)


def _insufficient_message(client: Client, requests: list[LineRequest], now: datetime) -> str:
    """Say how much is missing, in plain words; nothing was written."""
    try:
        preview = services.preview_order(client=client, lines=requests, now=now)
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
