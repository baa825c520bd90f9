"""Finance's decisions on a settlement: hold and release a payout, propose and decide corrections.

A settlement's money never changes (DESIGN §8): a correction is an ``Adjustment`` that a second
finance user approves (posting one ledger adjustment) or rejects. Approved adjustments keep the
settlement's net within [0, boost fee] (``settlements.corrections``). Locks: the settlement, then
its adjustment, then (posting) the client. Every decision is audited with its actor and reason.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.money import CENT
from orders.models import LedgerKind
from orders.services import EntryIn, post_entry
from orders.services.events import emit_many

from ..corrections import band_refusal, net_change
from ..models import Adjustment, Settlement, SettlementEvent
from ..selectors import approved_totals
from . import announcements
from .errors import SettlementError
from .records import log_event


def _lock_settlement(settlement: Settlement) -> Settlement:
    return Settlement.objects.select_for_update().get(pk=settlement.pk)


def _move_payout(
    settlement: Settlement,
    *,
    source: str,
    target: str,
    refused: str,
    event: str,
    actor: User,
    now: datetime,
    reason: str,
) -> Settlement:
    """Lock the settlement, then move it from ``source`` to ``target`` and audit the move: a
    no-op when it is at ``target`` already, refused (``refused``) from any other status."""
    with transaction.atomic():
        settlement = _lock_settlement(settlement)
        if settlement.status == target:
            return settlement
        if settlement.status != source:
            raise SettlementError(refused)
        settlement.status = target
        settlement.save(update_fields=["status"])
        log_event(settlement, event, actor=actor, now=now, reason=reason)
        return settlement


def hold(*, settlement: Settlement, actor: User, reason: str, now: datetime) -> Settlement:
    """Finance stops a scheduled payout until it is released; the reason is audited."""
    if not reason.strip():
        raise SettlementError(_("Holding a payout needs a reason."))
    return _move_payout(
        settlement,
        source=Settlement.Status.SCHEDULED,
        target=Settlement.Status.HELD,
        refused=_("Only a scheduled payout can be held."),
        event=SettlementEvent.Type.HELD,
        actor=actor,
        now=now,
        reason=reason.strip(),
    )


def release(*, settlement: Settlement, actor: User, reason: str, now: datetime) -> Settlement:
    """Finance lets a held payout go; the next payout sweep pays it."""
    return _move_payout(
        settlement,
        source=Settlement.Status.HELD,
        target=Settlement.Status.SCHEDULED,
        refused=_("Only a held payout can be released."),
        event=SettlementEvent.Type.RELEASED,
        actor=actor,
        now=now,
        reason=reason,
    )


def request_adjustment(
    *,
    settlement: Settlement,
    amount: Decimal,
    reason: str,
    client_note: str,
    actor: User,
    now: datetime,
) -> Adjustment:
    """Finance proposes a signed correction to a settlement; a second person must approve it.

    ``reason`` stays internal; ``client_note`` is what the client reads once it is approved. The
    band [0, F] is checked against the adjustments approved so far: pending requests do not
    count, since they may yet be rejected, and approval checks the band again.
    """
    if not reason.strip():
        raise SettlementError(_("An adjustment needs a reason."))
    if not client_note.strip():
        raise SettlementError(_("An adjustment needs a note for the client."))
    if not isinstance(amount, Decimal) or amount == 0 or amount != amount.quantize(CENT):
        raise SettlementError(_("An adjustment is a non-zero amount in whole fen."))
    with transaction.atomic():
        settlement = _lock_settlement(settlement)
        _check_band(settlement, amount)
        adjustment = Adjustment.objects.create(
            settlement=settlement,
            amount=amount,
            reason=reason.strip(),
            client_note=client_note.strip(),
            requested_by=actor,
            requested_at=now,
        )
        log_event(
            settlement,
            SettlementEvent.Type.ADJUSTMENT_REQUESTED,
            actor=actor,
            now=now,
            adjustment=adjustment.pk,
            amount=str(amount),
            reason=adjustment.reason,
            client_note=adjustment.client_note,
        )
        return adjustment


def approve_adjustment(*, adjustment: Adjustment, actor: User, now: datetime) -> Adjustment:
    """A second finance user approves a correction; it is posted as one ledger adjustment.

    The band is checked again under the settlement's lock: other adjustments of the same
    settlement may have been approved since this one was requested, and every approval takes
    that lock first, so two approvals can never both fit a band only one of them fits.
    """
    with transaction.atomic():
        settlement, adjustment = _lock_adjustment(adjustment)
        if _decided_already(adjustment, actor, Adjustment.Status.APPROVED):
            return adjustment
        _check_band(settlement, adjustment.amount)
        client_id = settlement.boost.line.order.client_id
        entry = post_entry(
            entry=EntryIn(
                client_id=client_id,
                kind=LedgerKind.ADJUSTMENT,
                amount=adjustment.amount,
                idempotency_key=f"adjustment:{adjustment.pk}",
                order_id=settlement.boost.line.order_id,
                boost_id=settlement.boost_id,
                reason=adjustment.reason,
            ),
            now=now,
            created_by=actor,
        )
        adjustment.status = Adjustment.Status.APPROVED
        adjustment.decided_by, adjustment.decided_at, adjustment.ledger_entry = actor, now, entry
        adjustment.save(update_fields=["status", "decided_by", "decided_at", "ledger_entry"])
        log_event(
            settlement,
            SettlementEvent.Type.ADJUSTED,
            actor=actor,
            now=now,
            adjustment=adjustment.pk,
            amount=str(adjustment.amount),
            ledger_entry=entry.pk,
        )
        emit_many(announcements.adjustment_approved(adjustment, settlement), now=now)
        return adjustment


def reject_adjustment(
    *, adjustment: Adjustment, actor: User, reason: str, now: datetime
) -> Adjustment:
    """A second finance user turns a proposed correction down, with a reason; nothing is posted."""
    if not reason.strip():
        raise SettlementError(_("Rejecting an adjustment needs a reason."))
    with transaction.atomic():
        settlement, adjustment = _lock_adjustment(adjustment)
        if _decided_already(adjustment, actor, Adjustment.Status.REJECTED):
            return adjustment
        adjustment.status = Adjustment.Status.REJECTED
        adjustment.decided_by, adjustment.decided_at = actor, now
        adjustment.save(update_fields=["status", "decided_by", "decided_at"])
        log_event(
            settlement,
            SettlementEvent.Type.ADJUSTMENT_REJECTED,
            actor=actor,
            now=now,
            adjustment=adjustment.pk,
            reason=reason.strip(),
        )
        return adjustment


def _check_band(settlement: Settlement, amount: Decimal) -> None:
    """Refuse ``amount`` if it takes the locked settlement's net out of [0, boost fee]."""
    change = net_change(
        amount=settlement.amount,
        fee=settlement.boost_fee,
        approved=approved_totals([settlement.pk]).values(),
        adjustment=amount,
    )
    if not change.within_band:
        raise SettlementError(band_refusal(change))


def _lock_adjustment(adjustment: Adjustment) -> tuple[Settlement, Adjustment]:
    """Lock the settlement, then its adjustment: the module's lock order."""
    settlement_id = Adjustment.objects.values_list("settlement_id", flat=True).get(pk=adjustment.pk)
    settlement = Settlement.objects.select_for_update().get(pk=settlement_id)
    return settlement, Adjustment.objects.select_for_update().get(pk=adjustment.pk)


def _decided_already(adjustment: Adjustment, actor: User, decision: str) -> bool:
    """Four eyes: the requester never decides. A decision is final; repeating it is a no-op."""
    if adjustment.requested_by_id == actor.pk:
        raise SettlementError(_("The user who requested an adjustment cannot decide it."))
    if adjustment.status == Adjustment.Status.REQUESTED:
        return False
    if adjustment.status == decision:
        return True
    raise SettlementError(_("This adjustment was already decided."))
