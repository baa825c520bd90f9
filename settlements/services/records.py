"""Writing settlements and their audit events: the one place a settlement row is inserted.

Closing, expiry and cancellation decide an ``Outcome`` per boost; ``record_outcomes`` turns a batch
of them into settlements, audit events and boost transitions in a few bulk queries (DESIGN §8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from kernel.audit import actor_columns
from kernel.inserts import insert, insert_rows
from orders.models import Boost
from orders.services import actor_name, transition_many
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


@dataclass(frozen=True)
class Outcome:
    """How one terminal boost ends: its new status, the settlement kind and what decided it."""

    boost: Boost
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


def record_outcomes(
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    actor: User | None = None,
    note: str = "",
) -> list[Settlement]:
    """Write the settlements of terminal boosts and move the boosts, in a few bulk queries.

    The caller holds the boosts' locks. A refund (no explanation) owes the whole boost fee; an
    amount of 0 is closed at once, anything else is scheduled for its due date, or held for
    finance when the outcome has a hold reason. Returns the settlements written.
    """
    if not outcomes:
        return []
    due_by_day = due_dates([o.ended_at for o in outcomes])
    # Looked up once: ``localdate`` without a zone looks it up again for every row.
    zone = timezone.get_current_timezone()
    settlements = []
    for o in outcomes:
        due = due_by_day[timezone.localdate(o.ended_at, zone)]
        ex = o.explanation
        amount = ex.amount if ex else o.boost.boost_fee
        status = Settlement.Status.SCHEDULED if amount > 0 else Settlement.Status.CLOSED
        if amount > 0 and o.hold_reason:
            status = Settlement.Status.HELD
        settlements.append(
            Settlement(
                boost=o.boost,
                kind=o.kind,
                status=status,
                expected_views=o.boost.expected_views,
                actual_views=ex.actual_views if ex else None,
                snapshot_id=o.snapshot_id,
                snapshot_observed_at=o.snapshot_observed_at,
                fixed_price=o.boost.line.fixed_price,
                boost_fee=o.boost.boost_fee,
                expected_cpm=ex.expected_cpm if ex else None,
                raw_amount=ex.raw_amount if ex else None,
                cap_applied=ex.cap_applied if ex else False,
                amount=amount,
                formula_version=calculations.FORMULA_VERSION,
                computed_at=now,
                service_ended_at=o.ended_at,
                due_date=due.date,
                due_date_provisional=due.provisional,
                note=o.note,
                cause=o.cause if o.kind == Settlement.Kind.COMPENSATION else "",
            )
        )
    by_target: dict[str, list[Boost]] = {}
    for o in outcomes:
        by_target.setdefault(o.to, []).append(o.boost)
    for to, boosts in by_target.items():
        transition_many(boosts, to, now=now, actor=actor, note=note)
    insert(settlements)
    acted = actor_columns(actor)
    events = [
        {
            "settlement_id": s.pk,
            "type": SettlementEvent.Type.CLOSED
            if s.status == Settlement.Status.CLOSED
            else SettlementEvent.Type.SCHEDULED,
            **acted,
            "at": now,
            "data": {
                "kind": s.kind,
                "amount": str(s.amount),
                "due_date": s.due_date.isoformat(),
                "provisional": s.due_date_provisional,
            },
        }
        for s in settlements
    ]
    events += [
        {
            "settlement_id": s.pk,
            "type": SettlementEvent.Type.HELD,
            **acted,
            "at": now,
            "data": {"reason": o.hold_reason},
        }
        for s, o in zip(settlements, outcomes, strict=True)
        if s.status == Settlement.Status.HELD
    ]
    # Rows, not instances: a batch never reads its events back.
    insert_rows(SettlementEvent, events)
    emit_many(announcements.settled(settlements), now=now)
    return settlements
