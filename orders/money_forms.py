"""What a money form instance already did: the service keys derived from its id, and their result.

A form instance (``kernel.replay``) has one id for its whole life; the top-up and order keys are
derived from it, so a resubmission after Back or a refresh finds the first result — which these
functions read, and describe in the words every money page uses.
"""

from __future__ import annotations

from django.utils.translation import gettext

from kernel.display import minute, yuan

from . import selectors
from .models import Client, LedgerEntry, LedgerKind, Order
from .services import LineRequest

# Form kinds (each has its own signing salt): the admin's two money forms and the portal's order.
TOP_UP_FORM = "orders.top-up"
ADMIN_ORDER_FORM = "orders.admin-order"
PORTAL_ORDER_FORM = "orders.portal-order"


def top_up_key(form_id: str) -> str:
    """The ledger key of the top-up a form instance books."""
    return f"top-up:{form_id}"


def order_key(form_id: str) -> str:
    """The order key of the order a form instance places (admin or portal)."""
    return f"order:{form_id}"


def booked_top_up(client: Client, form_id: str) -> LedgerEntry | None:
    """The top-up this form instance already credited to ``client``, if any."""
    return LedgerEntry.objects.filter(
        client=client, kind=LedgerKind.TOP_UP, idempotency_key=top_up_key(form_id)
    ).first()


def placed_order(client: Client, form_id: str) -> Order | None:
    """The order this form instance already placed for ``client``, if any."""
    return selectors.client_order_with_key(client, order_key(form_id))


def placed_lines(order: Order) -> list[LineRequest]:
    """The lines an order was placed with, so its form shows again what it bought."""
    return [
        LineRequest(influencer_id=influencer_id, boost=boost_id is not None)
        for influencer_id, boost_id in order.lines.order_by("pk").values_list(
            "influencer_id", "boost"
        )
    ]


def already_credited(entry: LedgerEntry) -> str:
    """The answer to a resubmitted top-up form: the first result, and that nothing doubled."""
    return gettext(
        "This top-up of %(amount)s was already credited at %(at)s; nothing was credited twice."
    ) % {"amount": yuan(entry.amount), "at": minute(entry.created_at)}


def already_placed(order: Order) -> str:
    """The answer to a resubmitted order form: the first order, and that nothing was charged."""
    return gettext(
        "Order %(code)s was already placed; nothing was charged again. This form placed it "
        "at %(at)s."
    ) % {"code": order.code, "at": minute(order.placed_at)}
