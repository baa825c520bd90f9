"""The order detail page: one order of the client with a progress card per line.

The page is sent gzip-compressed to a browser that accepts it (about 7 KB instead of 100 at 50
lines): Django's ``gzip_page``, the GZipMiddleware machinery with its BREACH mitigation (random
padding in the gzip header). The page holds no secret worth the attack: its CSRF tokens are masked
afresh for every response, and API tokens and webhook secrets are shown on other, uncompressed
pages. So compression is per view, not a site-wide middleware.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from kernel.display import yuan
from kernel.money import ZERO
from orders import selectors
from orders.models import Boost
from settlements import selectors as settlement_selectors

from .. import charts
from ..access import ClientRequest, client_required, not_found, render_page
from ..card_html import CardWriter
from ..cards import boost_of, line_card


@gzip_page
@require_GET
@client_required
def order_detail(request: ClientRequest, code: str) -> HttpResponse:
    """One order with a progress card per line; a constant number of queries for any size."""
    order = selectors.client_order(request.client, code)
    if order is None:
        return not_found(request)
    now = timezone.now()
    lines = list(order.lines.all())
    boosts = [boost for boost in map(boost_of, lines) if boost is not None]
    # Only a terminal boost has a settlement (DESIGN §8): an order still running needs no query.
    settlements = settlement_selectors.settlements_for_boosts(
        [boost.pk for boost in boosts if boost.status in Boost.TERMINAL]
    )
    series = selectors.chart_series(boosts, now=now)
    adjustments = settlement_selectors.approved_adjustments(s.pk for s in settlements.values())
    statuses = selectors.status_events(line.pk for line in lines if line.has_status_events)
    cards = [
        line_card(
            line,
            series=series.get(line.pk),
            settlements=settlements,
            now=now,
            adjustments=adjustments,
            statuses=[(event.at, event.status) for event in statuses.get(line.pk, ())],
        )
        for line in lines
    ]
    writer = CardWriter(now=now)
    # An approved adjustment is posted to the account at once, paid settlement or not.
    paid = [s.amount for s in settlements.values() if s.paid_at is not None]
    paid += [a.amount for rows in adjustments.values() for a in rows]
    return render_page(
        request,
        "portal/order_detail.html",
        {
            "order": order,
            "cards": [writer.card(card) for card in cards],
            "now": now,
            "total_prices": yuan(sum((line.fixed_price for line in lines), ZERO)),
            "total_fees": yuan(sum((boost.boost_fee for boost in boosts), ZERO)),
            "total_returned": yuan(sum(paid, ZERO)),
            "boost_count": len(boosts),
            # One legend and one copy of each axis for all the charts, the projection's caveat once.
            "charted": any(card.chart for card in cards),
            # chart_defs escapes every text it writes
            "chart_defs": mark_safe(charts.chart_defs(card.axis for card in cards if card.axis)),
            "projected": any(card.projection for card in cards),
        },
        nav="orders",
    )
