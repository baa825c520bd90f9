"""Paying settlements: exactly one ledger credit per scheduled settlement (DESIGN §8).

The credit's idempotency key is derived from the settlement (``payout_key``) and the settlement's
status changes in the same transaction, so a rerun, a concurrent worker or a crash half way can
never pay twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat

from kernel.audit import actor_columns
from kernel.inserts import insert_rows
from orders.models import Boost, LedgerEntry, LedgerKind
from orders.services import EntryIn, post_entries
from orders.services.events import emit_many

from ..models import QuarantinedRow, Settlement, SettlementEvent
from . import announcements
from .planning import index_scans_only
from .sweeps import DueRows, chosen_or_isolated_batch

_CREDIT_KIND: dict[str, str] = {
    Settlement.Kind.COMPENSATION: LedgerKind.COMPENSATION,
    Settlement.Kind.REFUND: LedgerKind.REFUND,
}


# The ledger idempotency key of a settlement's one payout credit: prefix, settlement id, suffix.
PAYOUT_KEY = ("settlement:", ":payout")


def payout_key(settlement: Settlement) -> str:
    """The ledger idempotency key of a settlement's one payout credit."""
    return _payout_key(settlement.pk)


def _payout_key(settlement_id: int) -> str:
    return f"{PAYOUT_KEY[0]}{settlement_id}{PAYOUT_KEY[1]}"


def _lock_rows(due: QuerySet[Settlement], *, skip_locked: bool) -> QuerySet:
    """Lock due settlements in id order, with the columns paying reads of them (id, kind, amount,
    boost): their own table alone, so only settlements are locked.

    Run it under ``index_scans_only``. The lock walks the scheduled index whatever the
    statistics; reading the rows in the same statement keeps them off a second read by id, which
    stale statistics of the settlements table plan as a scan of the whole table.
    """
    return (
        due.select_for_update(skip_locked=skip_locked)
        .order_by("pk")
        .values_list("pk", "kind", "amount", "boost_id")
    )


def _pay(
    due: QuerySet[Settlement],
    *,
    now: datetime,
    limit: int,
    skip_locked: bool,
    actor: User | None = None,
) -> tuple[int, dict[str, int]]:
    """Lock up to ``limit`` scheduled settlements and pay each; the caller holds the transaction.

    Planned on index scans alone (``planning``), so a batch costs its rows, never the backlog.
    """
    with index_scans_only():
        return _pay_locked(due, now=now, limit=limit, skip_locked=skip_locked, actor=actor)


def _pay_locked(
    due: QuerySet[Settlement],
    *,
    now: datetime,
    limit: int,
    skip_locked: bool,
    actor: User | None,
) -> tuple[int, dict[str, int]]:
    locked = list(_lock_rows(due, skip_locked=skip_locked)[:limit])
    if not locked:
        return 0, {}
    ids = [pk for pk, _kind, _amount, _boost_id in locked]
    # Each boost's order and client: the path to the ledger the credit goes to.
    owner = {
        pk: (order_id, client_id)
        for pk, order_id, client_id in Boost.objects.filter(
            pk__in=[boost_id for *_settlement, boost_id in locked]
        ).values_list("pk", "line__order_id", "line__order__client_id")
    }
    settlements = [(*row, *owner[row[3]]) for row in locked]
    entry_ids = post_entries(
        entries=[
            EntryIn(
                client_id=client_id,
                kind=_CREDIT_KIND[kind],
                amount=amount,
                idempotency_key=_payout_key(pk),
                order_id=order_id,
                boost_id=boost_id,
                reason=f"Settlement {pk} ({kind})",
            )
            for pk, kind, amount, boost_id, order_id, client_id in settlements
        ],
        now=now,
        created_by=actor,
    )
    # One set-based UPDATE: each settlement finds its credit by the key derived from it.
    credit = LedgerEntry.objects.filter(
        idempotency_key=Concat(
            Value(PAYOUT_KEY[0]), Cast(OuterRef("pk"), CharField()), Value(PAYOUT_KEY[1])
        )
    ).order_by()  # the key is unique: no sort of the one row by the model's ordering
    Settlement.objects.filter(pk__in=ids).update(
        status=Settlement.Status.PAID,
        paid_at=now,
        ledger_entry=Subquery(credit.values("pk")[:1]),
    )
    paid = [
        announcements.Paid(pk, client_id, boost_id, kind, amount, entry_id)
        for (pk, kind, amount, boost_id, _order_id, client_id), entry_id in zip(
            settlements, entry_ids, strict=True
        )
    ]
    acted = actor_columns(actor)
    insert_rows(
        SettlementEvent,
        [
            {
                "settlement_id": p.settlement_id,
                "type": SettlementEvent.Type.PAID,
                **acted,
                "at": now,
                "data": {"amount": str(p.amount), "ledger_entry": p.ledger_entry_id},
            }
            for p in paid
        ],
    )
    emit_many(announcements.paid(paid), now=now)
    return ids[-1], {"paid": len(paid)}


PAYING = DueRows(
    sweep=QuarantinedRow.Sweep.PAY_DUE,
    model=Settlement,
    pending=Q(status=Settlement.Status.SCHEDULED),
    due_by=lambda now: Q(),
    work=_pay,
)


def pay_batch(
    *,
    now: datetime,
    after_id: int = 0,
    limit: int = 500,
    settlement_ids: Sequence[int] | None = None,
    actor: User | None = None,
    quarantined: bool = False,
) -> tuple[int, dict[str, int]]:
    """Pay scheduled settlements with exactly one ledger credit each (DESIGN §8), one batch.

    Held settlements wait. Rows another worker holds are skipped. Returns the last id seen (0 when
    the batch was empty) and the count paid. A sweep's batch isolates a failing settlement
    (``sweeps.isolated_batch``); with ``settlement_ids`` (one operator action) an error is raised.
    """
    return chosen_or_isolated_batch(
        PAYING,
        settlement_ids,
        now=now,
        after_id=after_id,
        limit=limit,
        quarantined=quarantined,
        actor=actor,
    )


def pay_settlement(
    *, settlement: Settlement, now: datetime, actor: User | None = None
) -> Settlement:
    """Pay one scheduled settlement now; a no-op when it is paid, held or has nothing to pay."""
    pay_batch(now=now, settlement_ids=[settlement.pk], actor=actor)
    return Settlement.objects.get(pk=settlement.pk)
