"""A client's statement: its ledger entries, the lines they charged and their totals.

Like every client-page read (``client_orders``), each takes the client explicitly and costs a
constant number of queries.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum

from kernel.money import to_fen

from ..models import Client, LedgerEntry, LedgerKind, OrderLine
from .client_orders import lines_with_influencer_names


def statement_entries(
    client: Client,
    *,
    kind: str = "",
    since: datetime | None = None,
    before: datetime | None = None,
) -> QuerySet[LedgerEntry]:
    """A client's ledger, newest first, with what each entry refers to (order, boost).

    ``kind`` keeps one kind of entry and ``[since, before)`` the entries made then (either end may
    be open). The orders come with their lines and influencers, so ``charged_line`` names the
    influencer an order charge paid for: one more query for any number of entries.
    """
    entries = LedgerEntry.objects.filter(client=client)
    if kind:
        entries = entries.filter(kind=kind)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if before is not None:
        entries = entries.filter(created_at__lt=before)
    return (
        entries.select_related("order", "boost__line__order", "boost__line__influencer")
        .prefetch_related(Prefetch("order__lines", queryset=lines_with_influencer_names()))
        .order_by("-pk")
    )


def order_line_price_key(line_id: int) -> str:
    """The idempotency key of the order charge that paid one line's fixed price."""
    return f"order-line:{line_id}:price"


def charged_line(entry: LedgerEntry) -> OrderLine | None:
    """The line whose fixed price an order charge paid; None for any other entry.

    An order is charged one entry per line, keyed by the line; ``statement_entries`` has
    prefetched the order's lines, so this costs no query.
    """
    if entry.kind != LedgerKind.ORDER_CHARGE or entry.order is None:
        return None
    return next(
        (
            line
            for line in entry.order.lines.all()
            if order_line_price_key(line.pk) == entry.idempotency_key
        ),
        None,
    )


def statement_totals(entries: QuerySet[LedgerEntry]) -> dict[str, tuple[int, Decimal]]:
    """The number and sum of the given entries by kind, in one query: ``{kind: (count, sum)}``."""
    rows = entries.order_by().values_list("kind").annotate(n=Count("pk"), total=Sum("amount"))
    # SQLite hands a sum of decimals back unscaled; money is always in fen.
    return {kind: (n, to_fen(total)) for kind, n, total in rows}
