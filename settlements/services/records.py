"""Writing settlements and their audit events: the one place a settlement row is inserted.

Closing, expiry and cancellation decide an ``Outcome`` per boost (read as a ``BoostRow``);
``record_outcomes`` turns a batch of them into settlements, audit events and boost transitions in
a few bulk queries (DESIGN §8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.utils import timezone

from kernel.audit import actor_columns
from kernel.inserts import insert_rows
from orders.models import Boost
from orders.services import Move, actor_name, move_boosts
from orders.services.events import emit_many

from .. import calculations
from ..models import Settlement, SettlementEvent
from . import announcements
from .due_dates import due_dates


def log_event(
    settlement: Settlement,
    type_: str,
    *,
    actor: User | None,
    now: datetime,
    **data: Any,
) -> None:
    """Append one audit event to a settlement's trail."""
    SettlementEvent.objects.create(
        settlement=settlement,
        type=type_,
        actor=actor,
        actor_name=actor_name(actor),
        at=now,
        data=data,
    )


class BoostRow(NamedTuple):
    """A boost as settling reads it, with its line's price and influencer and its order's client:
    one row, no model instance (closing reads 500 at a time)."""

    pk: int
    status: str
    line_id: int
    expected_views: int
    boost_fee: Decimal
    window_start: datetime | None
    window_end: datetime | None
    fixed_price: Decimal
    influencer_id: int
    # None when the caller did not read it: the outbox then looks the client up (``emit_many``).
    client_id: int | None

    @classmethod
    def of(cls, boost: Boost) -> BoostRow:
        """The row of a locked boost instance whose line is loaded."""
        return cls(
            boost.pk,
            boost.status,
            boost.line_id,
            boost.expected_views,
            boost.boost_fee,
            boost.window_start,
            boost.window_end,
            boost.line.fixed_price,
            boost.line.influencer_id,
            None,
        )


@dataclass(frozen=True)
class Outcome:
    """How one terminal boost ends: its new status, the settlement kind and what decided it."""

    boost: BoostRow
    to: str
    kind: str
    ended_at: datetime
    explanation: calculations.CompensationExplanation | None = None
    # The closing snapshot the views were read from, if any: its id and when it was observed.
    snapshot_id: int | None = None
    snapshot_observed_at: datetime | None = None
    note: str = ""
    # Why a compensation fell short (``settlements.causes``); "" for every other kind.
    cause: str = ""
    # Why the payout waits for finance instead of being paid automatically (flagged counts).
    hold_reason: str = ""


class Recorded(NamedTuple):
    """A settlement ``record_outcomes`` wrote: its id, the outcome it records and its amount."""

    settlement_id: int
    outcome: Outcome
    amount: Decimal


def record_outcomes(
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    actor: User | None = None,
    note: str = "",
) -> list[Recorded]:
    """Write the settlements of terminal boosts and move the boosts, in a few bulk queries.

    The caller holds the boosts' locks. A refund (no explanation) owes the whole boost fee; an
    amount of 0 is closed at once, anything else is scheduled for its due date, or held for
    finance when the outcome has a hold reason. Settlements, their events and their
    announcements go as rows, one insert per table whatever the batch's size.
    """
    if not outcomes:
        return []
    due_by_day = due_dates([o.ended_at for o in outcomes])
    # Looked up once: ``localdate`` without a zone looks it up again for every row.
    zone = timezone.get_current_timezone()
    rows: list[dict[str, Any]] = []
    for o in outcomes:
        due = due_by_day[timezone.localdate(o.ended_at, zone)]
        ex, boost = o.explanation, o.boost
        amount = ex.amount if ex else boost.boost_fee
        status = Settlement.Status.SCHEDULED if amount > 0 else Settlement.Status.CLOSED
        if amount > 0 and o.hold_reason:
            status = Settlement.Status.HELD
        rows.append(
            {
                "boost_id": boost.pk,
                "kind": o.kind,
                "status": status,
                "expected_views": boost.expected_views,
                "actual_views": ex.actual_views if ex else None,
                "snapshot_id": o.snapshot_id,
                "snapshot_observed_at": o.snapshot_observed_at,
                "fixed_price": boost.fixed_price,
                "boost_fee": boost.boost_fee,
                "expected_cpm": ex.expected_cpm if ex else None,
                "raw_amount": ex.raw_amount if ex else None,
                "cap_applied": ex.cap_applied if ex else False,
                "amount": amount,
                "formula_version": calculations.FORMULA_VERSION,
                "computed_at": now,
                "service_ended_at": o.ended_at,
                "due_date": due.date,
                "due_date_provisional": due.provisional,
                "note": o.note,
                "cause": o.cause if o.kind == Settlement.Kind.COMPENSATION else "",
            }
        )
    move_boosts(
        [Move(o.boost.pk, o.boost.status, o.to) for o in outcomes],
        now=now,
        actor=actor,
        note=note,
    )
    ids = insert_rows(Settlement, rows)
    acted = actor_columns(actor)
    events = [
        {
            "settlement_id": pk,
            "type": SettlementEvent.Type.CLOSED
            if row["status"] == Settlement.Status.CLOSED
            else SettlementEvent.Type.SCHEDULED,
            **acted,
            "at": now,
            "data": {
                "kind": row["kind"],
                "amount": str(row["amount"]),
                "due_date": row["due_date"].isoformat(),
                "provisional": row["due_date_provisional"],
            },
        }
        for pk, row in zip(ids, rows, strict=True)
    ]
    events += [
        {
            "settlement_id": pk,
            "type": SettlementEvent.Type.HELD,
            **acted,
            "at": now,
            "data": {"reason": o.hold_reason},
        }
        for pk, row, o in zip(ids, rows, outcomes, strict=True)
        if row["status"] == Settlement.Status.HELD
    ]
    insert_rows(SettlementEvent, events)
    emit_many(
        announcements.settled(
            [
                announcements.Settled(
                    pk,
                    o.boost.client_id,
                    o.boost.pk,
                    o.to,
                    o.kind,
                    row["amount"],
                    row["due_date"],
                    row["due_date_provisional"],
                    row["expected_views"],
                    row["actual_views"],
                    row["cap_applied"],
                )
                for pk, row, o in zip(ids, rows, outcomes, strict=True)
            ]
        ),
        now=now,
    )
    return [Recorded(pk, o, row["amount"]) for pk, row, o in zip(ids, rows, outcomes, strict=True)]
