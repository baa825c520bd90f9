"""A client's orders as its pages list and show them, and the influencers it can pick.

Reads for the pages a client sees (the ``portal`` app, which sits above ``orders``). Every one
takes the client explicitly and filters by it, so a page can only ever see its own client's
rows. Each costs a constant number of queries, whatever the number of orders, lines or snapshots.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from kernel.money import to_fen

from ..models import (
    MONEY,
    ZERO,
    Boost,
    BoostStatus,
    Client,
    Influencer,
    Order,
    OrderLine,
    VideoStatusEvent,
)
from .balances import balance_subquery

ZERO_MONEY = Value(ZERO, output_field=DecimalField(**MONEY))

BOOST_STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "awaiting_publish": (BoostStatus.AWAITING_PUBLISH,),
    "active": (BoostStatus.ACTIVE, BoostStatus.AWAITING_VIEWS),
    "settled": tuple(Boost.TERMINAL),
}


@dataclasses.dataclass(frozen=True)
class Membership:
    """The client a portal user belongs to, and its balance when the request came in."""

    client: Client
    balance: Decimal


def membership_of(user) -> Membership | None:
    """The user's client with its balance (``balance_subquery``, the one balance rule), in one
    query; None for other users. Every portal page asks it, for its access check and its header."""
    if not user.is_authenticated:
        return None
    client = (
        Client.objects.filter(memberships__user_id=user.pk)
        .annotate(balance=balance_subquery())
        .first()
    )
    # SQLite hands a subquery's decimal back unscaled, and None means no entries yet: zero.
    return Membership(client, to_fen(client.balance)) if client else None


def influencer_names_by_order(order_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of each order's influencers, in line order, in one query of plain values."""
    names: dict[int, list[str]] = {order_id: [] for order_id in order_ids}
    lines = OrderLine.objects.filter(order_id__in=names).order_by("pk")
    for order_id, name in lines.values_list("order_id", "influencer__name"):
        names[order_id].append(name)
    return names


def influencers_for_picking(query: str = "") -> QuerySet[Influencer]:
    """Influencers a client can order, matched on name or platform id; quotes come cached."""
    influencers = Influencer.objects.order_by("name", "pk")
    if query:
        influencers = influencers.filter(Q(name__icontains=query) | Q(platform_id__icontains=query))
    return influencers


def client_orders(
    client: Client,
    *,
    boost_group: str = "",
    search: str = "",
    since: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[Order]:
    """A client's orders, newest first, with line and boost counts and totals annotated.

    ``boost_group`` (a key of ``BOOST_STATUS_GROUPS``) keeps orders with at least one boost in that
    group; ``"none"`` keeps orders without any boost. ``search`` matches the order code or the name
    or platform id of one of its influencers; ``[since, before)`` the instants placed. Lines and
    boosts are one-to-one, so the sums over the one join are not multiplied. A page names its
    orders' influencers with ``influencer_names_by_order``.
    """
    orders = Order.objects.filter(client=client)
    if search:
        named = OrderLine.objects.filter(order=OuterRef("pk")).filter(
            Q(influencer__name__icontains=search) | Q(influencer__platform_id__icontains=search)
        )
        orders = orders.filter(Q(code__icontains=search) | Exists(named))
    if since is not None:
        orders = orders.filter(placed_at__gte=since)
    if before is not None:
        orders = orders.filter(placed_at__lt=before)
    if boost_group == "none":
        orders = orders.filter(~Exists(Boost.objects.filter(line__order=OuterRef("pk"))))
    elif boost_group in BOOST_STATUS_GROUPS:
        orders = orders.filter(
            Exists(
                Boost.objects.filter(
                    line__order=OuterRef("pk"), status__in=BOOST_STATUS_GROUPS[boost_group]
                )
            )
        )
    counts = {
        f"n_{group}": Count("lines__boost", filter=Q(lines__boost__status__in=statuses))
        for group, statuses in BOOST_STATUS_GROUPS.items()
    }
    return orders.annotate(
        n_lines=Count("lines"),
        n_boosts=Count("lines__boost"),
        total_prices=Coalesce(Sum("lines__fixed_price"), ZERO_MONEY),
        total_fees=Coalesce(Sum("lines__boost__boost_fee"), ZERO_MONEY),
        **counts,
    ).order_by("-placed_at", "-pk")


def client_order(client: Client, code: str) -> Order | None:
    """One of the client's orders with its lines, in two queries.

    Lines come with their influencer and boost, oldest first, and ``has_status_events`` (so a
    page asks ``status_events`` only for videos that have some); their charts' snapshots come
    from ``chart_series``. None when the code is unknown or belongs to another client: the caller
    answers both alike.
    """
    # The quotes' inputs (JSON, a history each) are for the admin's explanations, not this page.
    lines = (
        OrderLine.objects.select_related("influencer", "boost")
        .defer("influencer__quote", "boost__quote")
        .annotate(has_status_events=Exists(VideoStatusEvent.objects.filter(line=OuterRef("pk"))))
        .order_by("pk")
    )
    return (
        Order.objects.filter(client=client, code=code)
        .select_related("placed_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .first()
    )


def client_order_with_key(client: Client, idempotency_key: str) -> Order | None:
    """The order a client already placed with this idempotency key, if any."""
    return Order.objects.filter(client=client, idempotency_key=idempotency_key).first()
