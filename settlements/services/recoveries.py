"""Recovery cases: compensation a creator-caused shortfall cost, claimed back (DESIGN §5).

A case is opened with its settlement (``open_recoveries``, called by ``records``) and the
influencer's boosts are suspended for ``BOOST_SUSPENSION_DAYS``. Finance decides a case four-eyes,
as adjustments (``decisions``): one user proposes recovered or waived with a reason, a second
approves or rejects the proposal. Locks: the settlement, then its case. Every step is a
settlement event with its actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.audit import actor_columns
from kernel.inserts import insert_rows
from orders import selectors as order_selectors
from orders.services import suspend_boosts

from .. import causes
from ..models import RecoveryCase, Settlement, SettlementEvent
from .errors import SettlementError
from .records import BoostRow, Recorded, log_event

DECISIONS = (RecoveryCase.Status.RECOVERED, RecoveryCase.Status.WAIVED)


@dataclass(frozen=True)
class ShortfallFacts:
    """What a batch of closing boosts' videos did (DESIGN §5), read in two queries: their status
    events and their earliest flagged snapshot."""

    events: dict[int, list[tuple[datetime, str]]]
    flagged: dict[int, datetime]

    @classmethod
    def of(cls, boosts: Sequence[BoostRow]) -> ShortfallFacts:
        line_ids = [b.line_id for b in boosts]
        return cls(
            events={
                line_id: [(e.at, e.status) for e in found]
                for line_id, found in order_selectors.status_events(line_ids).items()
            },
            flagged=order_selectors.first_flagged(line_ids),
        )

    def cause(self, boost: BoostRow) -> str:
        """Why the boost's window fell short, should it have (``causes.shortfall_cause``)."""
        assert boost.window_start is not None and boost.window_end is not None
        return causes.shortfall_cause(
            self.events.get(boost.line_id, []),
            window_start=boost.window_start,
            window_end=boost.window_end,
        )

    def frozen_at_end(self, boost: BoostRow) -> bool:
        """Whether the video was not live at window end: its counted views are final then, however
        old their snapshot (the window is not extended, DESIGN §5)."""
        assert boost.window_end is not None
        events = self.events.get(boost.line_id, [])
        return causes.status_at(events, boost.window_end) in causes.NOT_LIVE

    def hold_reason(self, boost: BoostRow) -> str:
        """Why the payout waits for finance: a flagged count observed within the window."""
        first = self.flagged.get(boost.line_id)
        if first is not None and boost.window_end is not None and first <= boost.window_end:
            return str(_("Suspicious view counts: a finance user checks them before paying."))
        return ""


def open_recoveries(recorded: Sequence[Recorded], *, now: datetime) -> int:
    """Open a case for each creator-caused compensation just recorded, and suspend boosts.

    A shortfall too small to owe a fen still suspends the influencer; only money opens a case.
    Cases and their events go as rows, one insert each. Returns how many cases were opened.
    """
    creator = [
        r
        for r in recorded
        if r.outcome.kind == Settlement.Kind.COMPENSATION
        and r.outcome.cause == Settlement.Cause.CREATOR_CAUSED
    ]
    if not creator:
        return 0
    owed = [r for r in creator if r.amount > 0]
    case_ids = insert_rows(
        RecoveryCase,
        [
            {
                "settlement_id": r.settlement_id,
                "influencer_id": r.outcome.boost.influencer_id,
                "amount": r.amount,
                "opened_at": now,
            }
            for r in owed
        ],
    )
    acted = actor_columns(None)
    insert_rows(
        SettlementEvent,
        [
            {
                "settlement_id": r.settlement_id,
                "type": SettlementEvent.Type.RECOVERY_OPENED,
                **acted,
                "at": now,
                "data": {"recovery": case_id, "amount": str(r.amount)},
            }
            for r, case_id in zip(owed, case_ids, strict=True)
        ],
    )
    suspend_boosts(
        influencer_ids=sorted({r.outcome.boost.influencer_id for r in creator}),
        until=now + timedelta(days=settings.BOOST_SUSPENSION_DAYS),
        now=now,
    )
    return len(case_ids)


def propose_recovery_decision(
    *, case: RecoveryCase, decision: str, reason: str, actor: User, now: datetime
) -> RecoveryCase:
    """Finance proposes how an open case ends (recovered or waived); a second user decides."""
    if decision not in DECISIONS:
        raise SettlementError(_("A recovery case ends recovered or waived."))
    if not reason.strip():
        raise SettlementError(_("A recovery decision needs a reason."))
    with transaction.atomic():
        case = _lock(case)
        if case.status != RecoveryCase.Status.OPEN:
            raise SettlementError(_("This recovery case was already decided."))
        if case.proposed_status:
            raise SettlementError(_("This recovery case already has a proposal to decide."))
        _save_proposal(case, decision, reason.strip(), actor, now)
        log_event(
            case.settlement,
            SettlementEvent.Type.RECOVERY_PROPOSED,
            actor=actor,
            now=now,
            recovery=case.pk,
            decision=decision,
            reason=case.proposed_reason,
        )
        return case


def approve_recovery_decision(*, case: RecoveryCase, actor: User, now: datetime) -> RecoveryCase:
    """A second finance user approves the proposal: the case takes the proposed status."""
    with transaction.atomic():
        case = _lock(case)
        if case.status != RecoveryCase.Status.OPEN and case.decided_by_id == actor.pk:
            return case
        _check_decidable(case, actor)
        case.status, case.decided_by, case.decided_at = case.proposed_status, actor, now
        case.save(update_fields=["status", "decided_by", "decided_at"])
        log_event(
            case.settlement,
            SettlementEvent.Type.RECOVERY_DECIDED,
            actor=actor,
            now=now,
            recovery=case.pk,
            decision=case.status,
            reason=case.proposed_reason,
        )
        return case


def reject_recovery_decision(
    *, case: RecoveryCase, actor: User, reason: str, now: datetime
) -> RecoveryCase:
    """A second finance user turns the proposal down, with a reason; the case stays open."""
    if not reason.strip():
        raise SettlementError(_("Rejecting a recovery proposal needs a reason."))
    with transaction.atomic():
        case = _lock(case)
        _check_decidable(case, actor)
        proposed = case.proposed_status
        _save_proposal(case, "", "", None, None)
        log_event(
            case.settlement,
            SettlementEvent.Type.RECOVERY_PROPOSAL_REJECTED,
            actor=actor,
            now=now,
            recovery=case.pk,
            decision=proposed,
            reason=reason.strip(),
        )
        return case


def _save_proposal(
    case: RecoveryCase,
    status: str,
    reason: str,
    by: User | None,
    at: datetime | None,
) -> None:
    """Write the case's pending proposal, or clear it (blank status and reason, no one, never)."""
    case.proposed_status, case.proposed_reason = status, reason
    case.proposed_by, case.proposed_at = by, at
    case.save(update_fields=["proposed_status", "proposed_reason", "proposed_by", "proposed_at"])


def _lock(case: RecoveryCase) -> RecoveryCase:
    """Lock the settlement, then its case: the order ``decisions`` locks in."""
    settlement_id = RecoveryCase.objects.values_list("settlement_id", flat=True).get(pk=case.pk)
    Settlement.objects.select_for_update().filter(pk=settlement_id).first()
    return RecoveryCase.objects.select_for_update().select_related("settlement").get(pk=case.pk)


def _check_decidable(case: RecoveryCase, actor: User) -> None:
    """Four eyes: a proposal is decided by someone else than who made it, once."""
    if case.status != RecoveryCase.Status.OPEN:
        raise SettlementError(_("This recovery case was already decided."))
    if not case.proposed_status:
        raise SettlementError(_("This recovery case has no proposal to decide yet."))
    if case.proposed_by_id == actor.pk:
        raise SettlementError(_("The user who proposed a recovery decision cannot decide it."))
