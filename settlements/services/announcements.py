"""What clients are told about settlements: the ``ClientEvent`` of each money fact (outbox).

The services that settle, pay and adjust call these builders and hand the result to
``orders.services.events.emit_many`` in their own transaction, so each fact and its announcement
commit together. Payloads are codes and parameters (amounts as strings in yuan, ISO dates), never
sentences: each channel words them in its reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from orders.models import Boost, ClientEventType
from orders.services.events import EventIn

from ..models import Adjustment, Settlement

# The event a new settlement announces, by the status its boost moved to.
_SETTLED_TYPE: dict[str, str] = {
    Boost.Status.SUCCEEDED: ClientEventType.BOOST_SETTLED,
    Boost.Status.COMPENSATED: ClientEventType.BOOST_SETTLED,
    Boost.Status.EXPIRED: ClientEventType.BOOST_EXPIRED,
    Boost.Status.CANCELLED: ClientEventType.BOOST_CANCELLED,
}


class Settled(NamedTuple):
    """What a new settlement announces, as a row (no model instances).

    ``boost_status`` is the terminal status the boost moved to; ``client_id`` is None when the
    caller did not read it (the outbox then looks it up from the boost).
    """

    settlement_id: int
    client_id: int | None
    boost_id: int
    boost_status: str
    kind: str
    amount: Decimal
    due_date: date
    due_date_provisional: bool
    expected_views: int
    actual_views: int | None
    cap_applied: bool


def settled(settlements: Sequence[Settled]) -> list[EventIn]:
    """One event per new settlement: settled (kind, amount, due date), expired or cancelled."""
    return [
        EventIn(
            type=_SETTLED_TYPE[s.boost_status],
            key=f"boost:{s.boost_id}:{_SETTLED_TYPE[s.boost_status].split('.')[1]}",
            boost_id=s.boost_id,
            settlement_id=s.settlement_id,
            client_id=s.client_id,
            payload={
                "status": s.boost_status,
                "kind": s.kind,
                "amount": str(s.amount),
                "due_date": s.due_date.isoformat(),
                "due_date_provisional": s.due_date_provisional,
                "expected_views": s.expected_views,
                "actual_views": s.actual_views,
                "cap_applied": s.cap_applied,
            },
        )
        for s in settlements
    ]


class Paid(NamedTuple):
    """What a payout announces about one settlement, read as a row (no model instances)."""

    settlement_id: int
    client_id: int
    boost_id: int
    kind: str
    amount: Decimal
    ledger_entry_id: int


def paid(settlements: Sequence[Paid]) -> list[EventIn]:
    """One event per paid settlement."""
    return [
        EventIn(
            type=ClientEventType.SETTLEMENT_PAID,
            key=f"settlement:{s.settlement_id}:paid",
            client_id=s.client_id,
            boost_id=s.boost_id,
            settlement_id=s.settlement_id,
            payload={
                "kind": s.kind,
                "amount": str(s.amount),
                "ledger_entry": s.ledger_entry_id,
            },
        )
        for s in settlements
    ]


def adjustment_approved(adjustment: Adjustment, settlement: Settlement) -> list[EventIn]:
    """The event of an approved correction, with its note for the client (never the internal
    reason).

    ``settlement`` comes with its boost, line and order loaded (the approval read them).
    """
    return [
        EventIn(
            type=ClientEventType.ADJUSTMENT_APPROVED,
            key=f"adjustment:{adjustment.pk}:approved",
            client_id=settlement.boost.line.order.client_id,
            boost_id=settlement.boost_id,
            settlement_id=settlement.pk,
            payload={
                "adjustment": adjustment.pk,
                "amount": str(adjustment.amount),
                "note": adjustment.client_note,
                "ledger_entry": adjustment.ledger_entry_id,
            },
        )
    ]
