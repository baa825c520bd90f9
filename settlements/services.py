"""Business actions on settlements: closing windows, expiry, cancellation, payouts, corrections.

DESIGN §5–§8. Every action is atomic and locks its rows in one order — boosts, then settlements,
then clients (inside ``post_entries``) — re-checks state after the lock and is a no-op when the work
is already done. The sweeps work a batch at a time with a constant number of queries per batch;
the single-boost actions are the same code with a batch of one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import Boost, LedgerEntry, LedgerKind, ViewSnapshot
from orders.services import EntryIn, OrderError, post_entries, post_entry, transition_many

from . import calculations, calendar
from .models import Adjustment, CalendarDay, Settlement, SettlementEvent
from .selectors import calendar_overrides

Status = Boost.Status


class SettlementError(OrderError):
    """A settlement action was refused; nothing was written."""


def _name(actor: AbstractBaseUser | None) -> str:
    return actor.get_username() if actor is not None else "system"


# --- Due dates ---------------------------------------------------------------------------------


def due_dates(instants: Sequence[datetime]) -> dict[date, calendar.DueDate]:
    """Due date by service-end date: the 7th business day after it, in Asia/Shanghai (§7).

    A batch has few distinct end dates, so each is counted once, with one calendar query.
    """
    days = {timezone.localdate(at) for at in instants}
    years = {day.year for day in days}
    overrides = calendar_overrides(years | {year + 1 for year in years})
    n = settings.SETTLEMENT_DUE_BUSINESS_DAYS
    return {day: calendar.due_date(day, n, overrides) for day in days}


# --- Creating settlements ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    boost: Boost
    to: str
    kind: str
    ended_at: datetime
    explanation: calculations.CompensationExplanation | None = None
    snapshot: ViewSnapshot | None = None
    note: str = ""


def _record(outcomes: Sequence[_Outcome], *, now: datetime, actor=None, note="") -> None:
    """Write the settlements of terminal boosts and move the boosts, in a few bulk queries."""
    if not outcomes:
        return
    due_by_day = due_dates([o.ended_at for o in outcomes])
    settlements = []
    for o in outcomes:
        due = due_by_day[timezone.localdate(o.ended_at)]
        ex = o.explanation
        amount = ex.amount if ex else o.boost.boost_fee
        settlements.append(
            Settlement(
                boost=o.boost,
                kind=o.kind,
                status=Settlement.Status.SCHEDULED if amount > 0 else Settlement.Status.CLOSED,
                expected_views=o.boost.expected_views,
                actual_views=ex.actual_views if ex else None,
                snapshot=o.snapshot,
                snapshot_observed_at=o.snapshot.observed_at if o.snapshot else None,
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
            )
        )
    by_target: dict[str, list[Boost]] = {}
    for o in outcomes:
        by_target.setdefault(o.to, []).append(o.boost)
    for to, boosts in by_target.items():
        transition_many(boosts, to, now=now, actor=actor, note=note)
    Settlement.objects.bulk_create(settlements)
    SettlementEvent.objects.bulk_create(
        SettlementEvent(
            settlement=s,
            type=SettlementEvent.Type.SCHEDULED
            if s.status == Settlement.Status.SCHEDULED
            else SettlementEvent.Type.CLOSED,
            actor=actor,
            actor_name=_name(actor),
            at=now,
            data={
                "kind": s.kind,
                "amount": str(s.amount),
                "due_date": s.due_date.isoformat(),
                "provisional": s.due_date_provisional,
            },
        )
        for s in settlements
    )


def _window_outcome(boost: Boost, snapshot: ViewSnapshot | None, *, forced: str = "") -> _Outcome:
    actual = snapshot.views if snapshot is not None else 0
    explanation = calculations.explain_compensation(
        boost.expected_views, actual, boost.line.fixed_price, boost.boost_fee
    )
    shortfall = actual < boost.expected_views
    return _Outcome(
        boost=boost,
        to=Status.COMPENSATED if shortfall else Status.SUCCEEDED,
        kind=Settlement.Kind.COMPENSATION if shortfall else Settlement.Kind.NONE,
        ended_at=boost.window_end,
        explanation=explanation,
        snapshot=snapshot,
        note=forced,
    )


def _is_fresh(boost: Boost, snapshot: ViewSnapshot | None) -> bool:
    freshness = timedelta(hours=settings.SNAPSHOT_FRESHNESS_HOURS)
    return snapshot is not None and snapshot.observed_at >= boost.window_end - freshness


def _lock_boosts(queryset, *, skip_locked: bool):
    """Lock boosts (not their lines) with their closing snapshot annotated, in one query."""
    latest = ViewSnapshot.objects.filter(
        line=OuterRef("line_id"), observed_at__lte=OuterRef("window_end")
    ).order_by("-observed_at")
    return (
        queryset.select_for_update(skip_locked=skip_locked, of=("self",))
        .select_related("line")
        .annotate(closing_snapshot_id=Subquery(latest.values("pk")[:1]))
        .order_by("pk")
    )


def close_windows_batch(
    *, now: datetime, after_id: int = 0, limit: int = 500, boost_ids: Sequence[int] | None = None
) -> tuple[int, dict[str, int]]:
    """Close the 14-day windows that ended by ``now`` (DESIGN §5), one batch.

    Boosts with a fresh closing snapshot are settled (``none`` or ``compensation``); the others
    wait in ``awaiting_views``. Rows another worker holds are skipped. Returns the last id seen
    (0 when the batch was empty) and counts by outcome.
    """
    with transaction.atomic():
        due = Boost.objects.filter(
            status__in=[Status.ACTIVE, Status.AWAITING_VIEWS], window_end__lte=now, pk__gt=after_id
        )
        if boost_ids is not None:
            due = due.filter(pk__in=boost_ids)
        boosts = list(_lock_boosts(due, skip_locked=boost_ids is None)[:limit])
        if not boosts:
            return 0, {}
        snapshots = ViewSnapshot.objects.in_bulk(
            [b.closing_snapshot_id for b in boosts if b.closing_snapshot_id]
        )
        outcomes, stale = [], []
        for boost in boosts:
            snapshot = snapshots.get(boost.closing_snapshot_id)
            if _is_fresh(boost, snapshot):
                outcomes.append(_window_outcome(boost, snapshot))
            elif boost.status == Status.ACTIVE:
                stale.append(boost)
        if stale:
            transition_many(
                stale, Status.AWAITING_VIEWS, now=now, note=_("No fresh view data at window end")
            )
        _record(outcomes, now=now, note=_("Window closed"))
        counts = {"awaiting_views": len(stale)}
        for o in outcomes:
            counts[o.to] = counts.get(o.to, 0) + 1
        return boosts[-1].pk, counts


def close_window(*, boost: Boost, now: datetime) -> Settlement | None:
    """Close one boost's window if it has ended; returns its settlement once there is one."""
    close_windows_batch(now=now, boost_ids=[boost.pk])
    return Settlement.objects.filter(boost=boost).first()


def settle_with_available_views(
    *, boost: Boost, actor: AbstractBaseUser, reason: str, now: datetime
) -> Settlement:
    """Finance settles a boost stuck in ``awaiting_views`` on the data there is (DESIGN §5).

    Uses the latest snapshot at or before window end however old; with none at all the actual
    views are 0 (the whole capped compensation). The reason is kept on the settlement.
    """
    if not reason.strip():
        raise SettlementError(_("Settling without fresh views needs a reason."))
    with transaction.atomic():
        locked = list(_lock_boosts(Boost.objects.filter(pk=boost.pk), skip_locked=False))
        boost = locked[0]
        if boost.status != Status.AWAITING_VIEWS:
            raise SettlementError(
                _("Only a boost awaiting views can be settled this way; this one is %(s)s.")
                % {"s": boost.get_status_display()}
            )
        snapshot = ViewSnapshot.objects.filter(pk=boost.closing_snapshot_id).first()
        outcome = _window_outcome(boost, snapshot, forced=reason.strip())
        _record(
            [outcome], now=now, actor=actor, note=_("Settled by finance: %(r)s") % {"r": reason}
        )
        return Settlement.objects.get(boost=boost)


def expire_batch(
    *, now: datetime, after_id: int = 0, limit: int = 500
) -> tuple[int, dict[str, int]]:
    """Expire boosts still unpublished at ``valid_until`` and schedule their refunds (DESIGN §5)."""
    with transaction.atomic():
        boosts = list(
            Boost.objects.filter(
                status=Status.AWAITING_PUBLISH, valid_until__lte=now, pk__gt=after_id
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("line")
            .order_by("pk")[:limit]
        )
        if not boosts:
            return 0, {}
        _record(
            [
                _Outcome(b, Status.EXPIRED, Settlement.Kind.REFUND, ended_at=b.valid_until)
                for b in boosts
            ],
            now=now,
            note=_("Not published within the validity period"),
        )
        return boosts[-1].pk, {"expired": len(boosts)}


def expire(*, boost: Boost, now: datetime) -> Settlement | None:
    """Expire one boost if its validity has passed unpublished."""
    with transaction.atomic():
        locked = (
            Boost.objects.select_for_update(of=("self",)).select_related("line").get(pk=boost.pk)
        )
        if locked.status == Status.AWAITING_PUBLISH and locked.valid_until <= now:
            _record(
                [_Outcome(locked, Status.EXPIRED, Settlement.Kind.REFUND, locked.valid_until)],
                now=now,
                note=_("Not published within the validity period"),
            )
        return Settlement.objects.filter(boost=locked).first()


def cancel(*, boost: Boost, actor: AbstractBaseUser, reason: str, now: datetime) -> Settlement:
    """An operator cancels a boost before publish; its fee is refunded (DESIGN §5)."""
    if not reason.strip():
        raise SettlementError(_("A cancellation needs a reason."))
    with transaction.atomic():
        locked = (
            Boost.objects.select_for_update(of=("self",)).select_related("line").get(pk=boost.pk)
        )
        if locked.status == Status.CANCELLED:
            return locked.settlement
        if locked.status != Status.AWAITING_PUBLISH:
            raise SettlementError(
                _("Only a boost awaiting publish can be cancelled; this one is %(s)s.")
                % {"s": locked.get_status_display()}
            )
        _record(
            [_Outcome(locked, Status.CANCELLED, Settlement.Kind.REFUND, now, note=reason.strip())],
            now=now,
            actor=actor,
            note=reason.strip(),
        )
        return Settlement.objects.get(boost=locked)


# --- Payouts -----------------------------------------------------------------------------------

_CREDIT_KIND = {
    Settlement.Kind.COMPENSATION: LedgerKind.COMPENSATION,
    Settlement.Kind.REFUND: LedgerKind.REFUND,
}


# The ledger idempotency key of a settlement's one payout credit: prefix, settlement id, suffix.
PAYOUT_KEY = ("settlement:", ":payout")


def payout_key(settlement: Settlement) -> str:
    """The ledger idempotency key of a settlement's one payout credit."""
    return f"{PAYOUT_KEY[0]}{settlement.pk}{PAYOUT_KEY[1]}"


def pay_batch(
    *,
    now: datetime,
    after_id: int = 0,
    limit: int = 500,
    settlement_ids: Sequence[int] | None = None,
    actor: AbstractBaseUser | None = None,
) -> tuple[int, dict[str, int]]:
    """Pay scheduled settlements with exactly one ledger credit each (DESIGN §8), one batch.

    Held settlements wait. The credit's key is derived from the settlement, and the settlement's
    status changes in the same transaction, so a rerun, a concurrent worker or a crash half way
    can never pay twice.
    """
    with transaction.atomic():
        due = Settlement.objects.filter(status=Settlement.Status.SCHEDULED, pk__gt=after_id)
        if settlement_ids is not None:
            due = due.filter(pk__in=settlement_ids)
        settlements = list(
            due.select_for_update(skip_locked=settlement_ids is None, of=("self",))
            .select_related("boost__line__order")
            .order_by("pk")[:limit]
        )
        if not settlements:
            return 0, {}
        entries = post_entries(
            entries=[
                EntryIn(
                    client_id=s.boost.line.order.client_id,
                    kind=_CREDIT_KIND[s.kind],
                    amount=s.amount,
                    idempotency_key=payout_key(s),
                    order_id=s.boost.line.order_id,
                    boost_id=s.boost_id,
                    reason=f"Settlement {s.pk} ({s.kind})",
                )
                for s in settlements
            ],
            now=now,
            created_by=actor,
        )
        # One set-based UPDATE: each settlement finds its credit by the key derived from it.
        credit = LedgerEntry.objects.filter(
            idempotency_key=Concat(
                Value(PAYOUT_KEY[0]), Cast(OuterRef("pk"), CharField()), Value(PAYOUT_KEY[1])
            )
        )
        Settlement.objects.filter(pk__in=[s.pk for s in settlements]).update(
            status=Settlement.Status.PAID,
            paid_at=now,
            ledger_entry=Subquery(credit.values("pk")[:1]),
        )
        for settlement, entry in zip(settlements, entries, strict=True):
            settlement.status, settlement.paid_at, settlement.ledger_entry = "paid", now, entry
        SettlementEvent.objects.bulk_create(
            SettlementEvent(
                settlement=s,
                type=SettlementEvent.Type.PAID,
                actor=actor,
                actor_name=_name(actor),
                at=now,
                data={"amount": str(s.amount), "ledger_entry": s.ledger_entry_id},
            )
            for s in settlements
        )
        return settlements[-1].pk, {"paid": len(settlements)}


def pay_settlement(*, settlement: Settlement, now: datetime, actor=None) -> Settlement:
    """Pay one scheduled settlement now; a no-op when it is paid, held or has nothing to pay."""
    pay_batch(now=now, settlement_ids=[settlement.pk], actor=actor)
    return Settlement.objects.get(pk=settlement.pk)


# --- Finance: hold, release, adjust -------------------------------------------------------------


def _lock_settlement(settlement: Settlement) -> Settlement:
    return Settlement.objects.select_for_update().get(pk=settlement.pk)


def _event(settlement: Settlement, type_: str, *, actor, now: datetime, **data) -> None:
    SettlementEvent.objects.create(
        settlement=settlement, type=type_, actor=actor, actor_name=_name(actor), at=now, data=data
    )


def hold(
    *, settlement: Settlement, actor: AbstractBaseUser, reason: str, now: datetime
) -> Settlement:
    """Finance stops a scheduled payout until it is released; the reason is audited."""
    if not reason.strip():
        raise SettlementError(_("Holding a payout needs a reason."))
    with transaction.atomic():
        settlement = _lock_settlement(settlement)
        if settlement.status == Settlement.Status.HELD:
            return settlement
        if settlement.status != Settlement.Status.SCHEDULED:
            raise SettlementError(_("Only a scheduled payout can be held."))
        settlement.status = Settlement.Status.HELD
        settlement.save(update_fields=["status"])
        _event(settlement, SettlementEvent.Type.HELD, actor=actor, now=now, reason=reason.strip())
        return settlement


def release(
    *, settlement: Settlement, actor: AbstractBaseUser, reason: str, now: datetime
) -> Settlement:
    """Finance lets a held payout go; the next payout sweep pays it."""
    with transaction.atomic():
        settlement = _lock_settlement(settlement)
        if settlement.status == Settlement.Status.SCHEDULED:
            return settlement
        if settlement.status != Settlement.Status.HELD:
            raise SettlementError(_("Only a held payout can be released."))
        settlement.status = Settlement.Status.SCHEDULED
        settlement.save(update_fields=["status"])
        _event(settlement, SettlementEvent.Type.RELEASED, actor=actor, now=now, reason=reason)
        return settlement


def request_adjustment(
    *,
    settlement: Settlement,
    amount: Decimal,
    reason: str,
    actor: AbstractBaseUser,
    now: datetime,
) -> Adjustment:
    """Finance proposes a signed correction to a settlement; a second person must approve it."""
    if not reason.strip():
        raise SettlementError(_("An adjustment needs a reason."))
    if not isinstance(amount, Decimal) or amount == 0 or amount != amount.quantize(Decimal("0.01")):
        raise SettlementError(_("An adjustment is a non-zero amount in whole fen."))
    with transaction.atomic():
        settlement = _lock_settlement(settlement)
        adjustment = Adjustment.objects.create(
            settlement=settlement,
            amount=amount,
            reason=reason.strip(),
            requested_by=actor,
            requested_at=now,
        )
        _event(
            settlement,
            SettlementEvent.Type.ADJUSTMENT_REQUESTED,
            actor=actor,
            now=now,
            adjustment=adjustment.pk,
            amount=str(amount),
            reason=adjustment.reason,
        )
        return adjustment


def approve_adjustment(
    *, adjustment: Adjustment, actor: AbstractBaseUser, now: datetime
) -> Adjustment:
    """A second finance user approves a correction; it is posted as one ledger adjustment."""
    with transaction.atomic():
        settlement, adjustment = _lock_adjustment(adjustment)
        if _decided_already(adjustment, actor, Adjustment.Status.APPROVED):
            return adjustment
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
        _event(
            settlement,
            SettlementEvent.Type.ADJUSTED,
            actor=actor,
            now=now,
            adjustment=adjustment.pk,
            amount=str(adjustment.amount),
            ledger_entry=entry.pk,
        )
        return adjustment


def reject_adjustment(
    *, adjustment: Adjustment, actor: AbstractBaseUser, reason: str, now: datetime
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
        _event(
            settlement,
            SettlementEvent.Type.ADJUSTMENT_REJECTED,
            actor=actor,
            now=now,
            adjustment=adjustment.pk,
            reason=reason.strip(),
        )
        return adjustment


def _lock_adjustment(adjustment: Adjustment) -> tuple[Settlement, Adjustment]:
    """Lock the settlement, then its adjustment: the module's lock order."""
    settlement_id = Adjustment.objects.values_list("settlement_id", flat=True).get(pk=adjustment.pk)
    settlement = Settlement.objects.select_for_update().get(pk=settlement_id)
    return settlement, Adjustment.objects.select_for_update().get(pk=adjustment.pk)


def _decided_already(adjustment: Adjustment, actor: AbstractBaseUser, decision: str) -> bool:
    """Four eyes: the requester never decides. A decision is final; repeating it is a no-op."""
    if adjustment.requested_by_id == actor.pk:
        raise SettlementError(_("The user who requested an adjustment cannot decide it."))
    if adjustment.status == Adjustment.Status.REQUESTED:
        return False
    if adjustment.status == decision:
        return True
    raise SettlementError(_("This adjustment was already decided."))


# --- Sweeps ------------------------------------------------------------------------------------

Batch = Callable[..., tuple[int, dict[str, int]]]


def sweep(batch: Batch, *, now: datetime, limit: int = 500) -> dict[str, int]:
    """Run a batch service over every due row once, in id order; returns summed counts.

    Each batch is its own transaction, so a crash loses at most the batch in flight (rolled back,
    redone by the next run). Rows locked by a concurrent run are skipped, not waited for.
    """
    totals: Counter[str] = Counter()
    after_id = 0
    while True:
        after_id, counts = batch(now=now, after_id=after_id, limit=limit)
        if not after_id:
            return {"batches": totals.pop("batches", 0), **totals}
        totals.update(counts)
        totals["batches"] += 1


# --- Official calendar -------------------------------------------------------------------------


def enter_calendar_day(
    *,
    day: date,
    is_working_day: bool,
    source: str,
    note: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime,
) -> tuple[CalendarDay, int]:
    """Record an official day (it wins over the library) and recompute open due dates.

    Returns the day and how many due dates moved.
    """
    if not source.strip():
        raise SettlementError(_("Say where the official day comes from."))
    with transaction.atomic():
        entry, _created = CalendarDay.objects.update_or_create(
            date=day,
            defaults={
                "is_working_day": is_working_day,
                "source": source.strip(),
                "note": note,
                "created_by": actor,
            },
        )
        return entry, recompute_due_dates(now=now, actor=actor)


def remove_calendar_days(
    *, days: Sequence[CalendarDay], actor: AbstractBaseUser | None = None, now: datetime
) -> int:
    """Delete days entered by mistake and recompute open due dates; returns how many moved."""
    with transaction.atomic():
        CalendarDay.objects.filter(pk__in=[d.pk for d in days]).delete()
        return recompute_due_dates(now=now, actor=actor)


def recompute_due_dates(*, now: datetime, actor: AbstractBaseUser | None = None) -> int:
    """Recompute the due date of every unpaid settlement from the calendar as it is now (§7).

    Provisional dates become final once their year's official days are entered, and a day entered
    or removed later moves the dates it affects. Paid and closed settlements keep theirs: it is
    the date they were held to. Returns how many changed.
    """
    with transaction.atomic():
        settlements = list(
            Settlement.objects.select_for_update()
            .filter(status__in=[Settlement.Status.SCHEDULED, Settlement.Status.HELD])
            .only("pk", "service_ended_at", "due_date", "due_date_provisional")
        )
        if not settlements:
            return 0
        due_by_day = due_dates([s.service_ended_at for s in settlements])
        changed = []
        for s in settlements:
            due = due_by_day[timezone.localdate(s.service_ended_at)]
            if (due.date, due.provisional) != (s.due_date, s.due_date_provisional):
                changed.append((s, s.due_date, due))
                s.due_date, s.due_date_provisional = due.date, due.provisional
        Settlement.objects.bulk_update(
            [s for s, _, _ in changed], ["due_date", "due_date_provisional"]
        )
        SettlementEvent.objects.bulk_create(
            SettlementEvent(
                settlement=s,
                type=SettlementEvent.Type.DUE_DATE_RECOMPUTED,
                actor=actor,
                actor_name=_name(actor),
                at=now,
                data={
                    "from": old.isoformat(),
                    "to": due.date.isoformat(),
                    "provisional": due.provisional,
                },
            )
            for s, old, due in changed
        )
        return len(changed)
