"""Client balances, read off the ledger (one value, many, or as a subquery)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from kernel.money import to_fen

from ..models import Client, LedgerEntry


def client_balance(client: Client) -> Decimal:
    """A client's balance: the running balance of its latest ledger entry (DESIGN §8).

    Every portal page's header reads it: one indexed row, half the ORM time of
    ``client_balances``' subquery.
    """
    return to_fen(_latest(client.pk).values_list("balance_after", flat=True).first())


def client_balances(client_ids: Iterable[int]) -> dict[int, Decimal]:
    """Balances of many clients in one query.

    Each entry stores the running balance after it, and the posting service appends under a lock on
    the client, so the latest entry's ``balance_after`` equals the sum of all entries; ``reconcile``
    proves it.
    """
    rows = Client.objects.filter(pk__in=list(client_ids)).annotate(balance=balance_subquery())
    # SQLite hands a subquery's decimal back unscaled; money is always in fen.
    return {pk: to_fen(balance) for pk, balance in rows.values_list("pk", "balance")}


def balance_subquery() -> Subquery:
    """A client's balance as an annotation on ``Client`` rows: its latest entry's running balance.

    None for a client without entries; SQLite hands it back unscaled (``kernel.money.to_fen``).
    """
    return Subquery(_latest(OuterRef("pk")).values("balance_after")[:1])


def _latest(client: int | OuterRef) -> QuerySet[LedgerEntry]:
    """A client's ledger entries, latest first: the first one's ``balance_after`` is the balance."""
    return LedgerEntry.objects.filter(client=client).order_by("-pk")
