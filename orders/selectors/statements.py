"""A client's statement: its ledger entries, the lines they charged and their totals.

Like every client-page read (``client_orders``), each takes the client explicitly and costs a
constant number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Coalesce

from kernel.money import to_fen

from ..models import Client, LedgerEntry, LedgerKind, OrderLine


def statement_entries(
    client: Client,
    *,
    kind: str = "",
    since: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[LedgerEntry]:
    """A client's ledger, newest first, with what each entry refers to (order, boost).

    ``kind`` keeps one kind of entry and ``[since, before)`` the entries made then (either end may
    be open).
    """
    entries = LedgerEntry.objects.filter(client=client)
    if kind:
        entries = entries.filter(kind=kind)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if before is not None:
        entries = entries.filter(created_at__lt=before)
    return entries.select_related("order", "boost__line__order").order_by("-pk")


def with_references(entries: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
    """``entries`` with what the statement names annotated instead of joined in as instances:
    ``order_code`` (the entry's order, or its boost's) and ``boost_influencer`` (the name of its
    boost's influencer, None without a boost).

    One model instance an entry: ``select_related`` built five (entry, order, boost, line,
    influencer), which cost a statement page of 50 entries more than its query.
    """
    return entries.select_related(None).annotate(
        order_code=Coalesce("order__code", "boost__line__order__code"),
        boost_influencer=F("boost__line__influencer__name"),
    )


def order_line_price_key(line_id: int) -> str:
    """The idempotency key of the order charge that paid one line's fixed price."""
    return f"order-line:{line_id}:price"


def charged_influencers(entries: Iterable[LedgerEntry]) -> dict[str, str]:
    """The influencer whose fixed price each order charge among ``entries`` paid, by the charge's
    idempotency key: one query for any number of entries.

    An order is charged one entry per line, keyed by the line (``order_line_price_key``).
    """
    orders = {
        e.order_id for e in entries if e.kind == LedgerKind.ORDER_CHARGE and e.order_id is not None
    }
    if not orders:
        return {}
    lines = OrderLine.objects.filter(order_id__in=orders).values_list("pk", "influencer__name")
    return {order_line_price_key(pk): name for pk, name in lines}


def statement_totals(entries: QuerySet[LedgerEntry]) -> dict[str, tuple[int, Decimal]]:
    """The number and sum of the given entries by kind, in one query: ``{kind: (count, sum)}``."""
    rows = entries.order_by().values_list("kind").annotate(n=Count("pk"), total=Sum("amount"))
    # SQLite hands a sum of decimals back unscaled; money is always in fen.
    return {kind: (n, to_fen(total)) for kind, n, total in rows}
