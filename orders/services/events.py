"""Announcing facts to clients: the one function that writes the outbox (``ClientEvent``).

Called by every service whose fact a client hears about, inside that service's transaction: the
event commits with the fact or not at all. Delivery happens elsewhere, after the commit: the
``events_committed`` signal tells subscribers (the integrations app queues its fan-out) and a
periodic fan-out picks up anything a lost message missed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from kernel.inserts import insert_rows

from ..models import Boost, ClientEvent, ClientEventType

__all__ = ["ClientEventType", "EventIn", "emit", "emit_many", "events_committed", "mark_dispatched"]

# Sent once a transaction that emitted events has committed (never for a rolled-back one).
events_committed = Signal()


@dataclass(frozen=True)
class EventIn:
    """One fact to announce: its type, the key naming it, and its codes and parameters.

    ``client_id`` may be left out when ``boost_id`` is given: it is then the boost's client.
    """

    type: str
    key: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    boost_id: int | None = None
    settlement_id: int | None = None
    client_id: int | None = None


def emit_many(events: Sequence[EventIn], *, now: datetime) -> None:
    """Append the events in the caller's transaction, in one insert (DESIGN §8's audit rule).

    A key already written is skipped (the unique key backs it), so a rerun of a sweep never
    announces a fact twice. One more query finds the clients of events given only a boost.
    """
    if not events:
        return
    missing = {e.boost_id for e in events if e.client_id is None and e.boost_id is not None}
    clients: dict[int, int] = {}
    if missing:
        clients = dict(
            Boost.objects.filter(pk__in=missing).values_list("pk", "line__order__client_id")
        )
    insert_rows(
        ClientEvent,
        [
            {
                "client_id": _client_of(e, clients),
                "type": e.type,
                "key": e.key,
                "boost_id": e.boost_id,
                "settlement_id": e.settlement_id,
                "payload": dict(e.payload),
                "occurred_at": now,
            }
            for e in events
        ],
        ignore_conflicts=True,
    )
    # robust: a broker that is down must never turn a committed fact into an error.
    transaction.on_commit(lambda: events_committed.send(sender=ClientEvent), robust=True)


def _client_of(event: EventIn, clients: Mapping[int, int]) -> int:
    if event.client_id is not None:
        return event.client_id
    if event.boost_id is None:
        raise ValueError(f"Event {event.key} names neither its client nor its boost.")
    return clients[event.boost_id]


def emit(
    *,
    type: str,
    key: str,
    now: datetime,
    payload: Mapping[str, Any] | None = None,
    boost_id: int | None = None,
    settlement_id: int | None = None,
    client_id: int | None = None,
) -> None:
    """Append one event; see ``emit_many``."""
    emit_many([EventIn(type, key, payload or {}, boost_id, settlement_id, client_id)], now=now)


def mark_dispatched(*, event_ids: Sequence[int], now: datetime) -> int:
    """Stamp events as fanned out; the caller holds their locks. Returns how many."""
    return ClientEvent.objects.filter(pk__in=event_ids, dispatched_at__isnull=True).update(
        dispatched_at=now
    )
