"""Posting to clients' append-only ledgers (DESIGN §8): signed entries, top-ups, balances kept.

Entries are inserted, never updated or deleted; a correction is a new entry. Posting locks the
clients in id order so each running balance starts from a stable latest entry. An entry and a
balance have ceilings (``LEDGER_MAX_ENTRY``, ``LEDGER_MAX_BALANCE``) well inside the money column,
so no posting can overflow it: one past a ceiling is refused with a clear error before writing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.display import yuan
from kernel.inserts import insert_rows
from kernel.money import CENT

from .. import selectors
from ..models import Client, LedgerEntry, LedgerKind
from .errors import IdempotencyConflict, InsufficientBalance, OrderError

_SIGN_BY_KIND: dict[str, int] = {
    LedgerKind.TOP_UP: 1,
    LedgerKind.COMPENSATION: 1,
    LedgerKind.REFUND: 1,
    LedgerKind.ORDER_CHARGE: -1,
    LedgerKind.BOOST_FEE: -1,
}
# Built once: ``LedgerKind.values`` is a new list on every read.
_KINDS = frozenset(LedgerKind.values)


@dataclass(frozen=True)
class EntryIn:
    """One ledger entry to post; the key makes a retry of the same posting a no-op."""

    client_id: int
    kind: str
    amount: Decimal
    idempotency_key: str
    order_id: int | None = None
    boost_id: int | None = None
    reason: str = ""


def post_entries(
    *, entries: Sequence[EntryIn], now: datetime, created_by: User | None = None
) -> list[int]:
    """Append signed entries to clients' ledgers (DESIGN §8), all or nothing; returns the ids of
    the entries, in the order given.

    Locks the clients in id order so each running balance starts from a stable latest entry;
    refuses any entry that would take a balance below zero or a credit that would take it above
    ``LEDGER_MAX_BALANCE``; an entry whose key was already posted
    with the same content is returned as it was, and with other content is a conflict.
    A constant number of queries for any number of entries, so payout sweeps stay set-based; ids
    and rows, never instances, so a batch of 500 builds no model.
    """
    entries = [_checked(entry) for entry in entries]
    keys = [entry.idempotency_key for entry in entries]
    if len(set(keys)) != len(keys):
        raise IdempotencyConflict(_("The same idempotency key appears twice in one posting."))
    with transaction.atomic():
        client_ids = sorted({entry.client_id for entry in entries})
        list(
            Client.objects.select_for_update()
            .filter(pk__in=client_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        existing = {
            key: (pk, (client_id, kind, amount))
            for key, pk, client_id, kind, amount in LedgerEntry.objects.filter(
                idempotency_key__in=keys
            )
            .order_by()
            .values_list("idempotency_key", "pk", "client_id", "kind", "amount")
        }
        balances = selectors.client_balances(client_ids)
        posted: dict[str, int] = {}
        new: list[dict[str, Any]] = []
        created_by_id = created_by.pk if created_by is not None else None
        for entry in entries:
            stored = existing.get(entry.idempotency_key)
            if stored is not None:
                if stored[1] != (entry.client_id, entry.kind, entry.amount):
                    raise IdempotencyConflict(
                        _("The key %(key)s was already used for a different entry.")
                        % {"key": entry.idempotency_key}
                    )
                posted[entry.idempotency_key] = stored[0]
                continue
            balance = balances[entry.client_id] + entry.amount
            if balance < 0:
                raise InsufficientBalance(
                    _("Insufficient balance: %(needed)s needed, %(available)s available.")
                    % {"needed": -entry.amount, "available": balances[entry.client_id]}
                )
            if entry.amount > 0 and balance > settings.LEDGER_MAX_BALANCE:
                raise OrderError(
                    _(
                        "A credit of %(amount)s would take the balance to %(balance)s, above the "
                        "account ceiling of %(ceiling)s."
                    )
                    % {
                        "amount": yuan(entry.amount),
                        "balance": yuan(balance),
                        "ceiling": yuan(settings.LEDGER_MAX_BALANCE),
                    }
                )
            balances[entry.client_id] = balance
            new.append(
                {
                    "client_id": entry.client_id,
                    "kind": entry.kind,
                    "amount": entry.amount,
                    "balance_after": balance,
                    "idempotency_key": entry.idempotency_key,
                    "order_id": entry.order_id,
                    "boost_id": entry.boost_id,
                    "reason": entry.reason,
                    "created_by_id": created_by_id,
                    "created_at": now,
                }
            )
        for row, new_id in zip(new, insert_rows(LedgerEntry, new), strict=True):
            posted[row["idempotency_key"]] = new_id
        return [posted[key] for key in keys]


def post_entry(*, entry: EntryIn, now: datetime, created_by: User | None = None) -> LedgerEntry:
    """Post one entry; see ``post_entries``."""
    (entry_id,) = post_entries(entries=[entry], now=now, created_by=created_by)
    return LedgerEntry.objects.get(pk=entry_id)


def _checked(entry: EntryIn) -> EntryIn:
    """The entry with its amount in fen within the entry ceiling, or a clear error."""
    if entry.kind not in _KINDS:
        raise OrderError(_("Unknown ledger entry kind: %(kind)s") % {"kind": entry.kind})
    amount = _in_fen(entry.amount)
    sign = _SIGN_BY_KIND.get(entry.kind)
    if amount == 0 or (sign is not None and (amount > 0) != (sign > 0)):
        raise OrderError(
            _("A %(kind)s entry cannot have the amount %(amount)s.")
            % {"kind": LedgerKind(entry.kind).label, "amount": amount}
        )
    if abs(amount) > settings.LEDGER_MAX_ENTRY:
        raise OrderError(
            _("A single ledger entry is at most %(max)s; %(amount)s is more.")
            % {"max": yuan(settings.LEDGER_MAX_ENTRY), "amount": yuan(abs(amount))}
        )
    if not entry.idempotency_key:
        raise OrderError(_("An idempotency key is required."))
    if amount.same_quantum(entry.amount):  # already in fen, as every sweep's amount is
        return entry
    return dataclasses.replace(entry, amount=amount)


def top_up(
    *,
    client: Client,
    amount: Decimal,
    reason: str,
    idempotency_key: str,
    now: datetime,
    created_by: User | None = None,
) -> LedgerEntry:
    """Finance credits money received from a client; the reason is kept for the audit."""
    if not reason.strip():
        raise OrderError(_("A top-up needs a reason."))
    return post_entry(
        entry=EntryIn(
            client_id=client.pk,
            kind=LedgerKind.TOP_UP,
            amount=amount,
            idempotency_key=idempotency_key,
            reason=reason.strip(),
        ),
        now=now,
        created_by=created_by,
    )


def _in_fen(value: Decimal) -> Decimal:
    """``value`` with two places, refusing a float or a fraction of a fen rather than rounding."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise OrderError(_("Amounts must be exact decimals."))
    if value != value.quantize(CENT):
        raise OrderError(_("Amounts are in whole fen (two decimal places): %(v)s") % {"v": value})
    return value.quantize(CENT)
