"""The orders list: the client's orders with their boosts' progress, found by stage, search and
the days they were placed."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kernel.display import yuan
from orders import selectors

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
                    "influencers": influencer_names(
                        [line.influencer.name for line in order.lines.all()]
                    ),
                    "prices": yuan(order.total_prices),
                    "fees": yuan(order.total_fees),
                }
                for order in page
            ],
            "page_query": form.query(),
        },
        nav="orders",
    )
