"""The orders list: the client's orders with their boosts' progress, filtered by boost stage."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from kernel.display import yuan
from orders import selectors
from orders.forms import OrderFilterForm

from ..access import ClientRequest, client_required, render_page

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
    group = form.cleaned_data["boosts"] if form.is_valid() else ""
    page = Paginator(
        selectors.client_orders(request.client, boost_group=group), ORDERS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render_page(
        request,
        "portal/order_list.html",
        {
            "form": form,
            "group": group,
            "filters": form.fields["boosts"].choices,
            "page": page,
            "rows": [
                {"order": order, "prices": yuan(order.total_prices), "fees": yuan(order.total_fees)}
                for order in page
            ],
            "page_query": urlencode({"boosts": group}) if group else "",
        },
        nav="orders",
    )
