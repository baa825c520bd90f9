"""The orders list: the client's orders with their boosts' progress, found by stage, search and
the days they were placed."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from kernel.display import minute, yuan
from orders import selectors
from orders.models import Order

from ..access import ClientRequest, client_required, render_page
from ..filters import OrderFilterForm
from ..names import influencer_names

ORDERS_PAGE_SIZE = 20


@require_GET
@client_required
def home(request: ClientRequest) -> HttpResponse:
    """The portal opens on the orders list."""
    return redirect("portal:order_list")


@require_GET
@client_required
def order_list(request: ClientRequest) -> HttpResponse:
    """The client's orders, newest first, 20 a page, with line and boost counts and totals."""
    form = OrderFilterForm(request.GET)
    period = form.period()
    orders = selectors.client_orders(
        request.client,
        boost_group=form.group(),
        search=form.search(),
        since=period.since,
        before=period.before,
    )
    page = Paginator(orders, ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    listed = list(page)
    names = selectors.influencer_names_by_order(order.pk for order in listed)
    return render_page(
        request,
        "portal/order_list.html",
        {
            "title": _("Orders"),
            "form": form,
            "group": form.group(),
            "filters": form.fields["boosts"].choices,
            "tab_query": form.query(without="boosts"),
            "page": page,
            "rows": [
                {
                    "order": order,
                    "url": reverse("portal:order_detail", args=[order.code]),
                    "placed": minute(order.placed_at),
                    "influencers": influencer_names(names[order.pk]),
                    **_badges(order),
                    "prices": yuan(order.total_prices),
                    "fees": yuan(order.total_fees),
                }
                for order in listed
            ],
            "page_query": form.query(),
        },
        nav="orders",
    )


def _badges(order: Order) -> dict[str, str]:
    """The words of the order's boost badges, "" for a stage it has no boost in: written here
    once, not by a ``{% blocktranslate count %}`` per row."""
    return {
        "awaiting": ngettext(
            "%(n)s awaiting publish", "%(n)s awaiting publish", order.n_awaiting_publish
        )
        % {"n": order.n_awaiting_publish}
        if order.n_awaiting_publish
        else "",
        "active": ngettext("%(n)s in progress", "%(n)s in progress", order.n_active)
        % {"n": order.n_active}
        if order.n_active
        else "",
        "settled": ngettext("%(n)s settled", "%(n)s settled", order.n_settled)
        % {"n": order.n_settled}
        if order.n_settled
        else "",
    }
