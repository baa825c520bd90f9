"""Ending boosts that never published: expiry at ``valid_until`` and cancellation (DESIGN §5).

Either way the whole boost fee is refunded: the settlement is a ``refund`` scheduled for its due
date, written by ``records.record_outcomes`` under the boost's lock.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from orders.models import Boost

from ..models import QuarantinedRow, Settlement
from .errors import SettlementError
from .records import BoostRow, Outcome, record_outcomes
from .sweeps import DueRows, isolated_batch

Status = Boost.Status


def _expire(
    due: QuerySet[Boost], *, now: datetime, limit: int, skip_locked: bool
) -> tuple[int, dict[str, int]]:
    """Lock up to ``limit`` due boosts and expire them; the caller holds the transaction."""
    boosts = list(
        due.select_for_update(skip_locked=skip_locked, of=("self",))
        .select_related("line")
        .order_by("pk")[:limit]
    )
    if not boosts:
        return 0, {}
    record_outcomes(
        [
            Outcome(BoostRow.of(b), Status.EXPIRED, Settlement.Kind.REFUND, ended_at=b.valid_until)
            for b in boosts
        ],
        now=now,
        note=_("Not published within the validity period"),
    )
    return boosts[-1].pk, {"expired": len(boosts)}


EXPIRING = DueRows(
    sweep=QuarantinedRow.Sweep.EXPIRE_UNPUBLISHED,
    model=Boost,
    pending=Q(status=Status.AWAITING_PUBLISH),
    due_by=lambda now: Q(valid_until__lte=now),
    work=_expire,
)


def expire_batch(
    *, now: datetime, after_id: int = 0, limit: int = 500, quarantined: bool = False
) -> tuple[int, dict[str, int]]:
    """Expire boosts still unpublished at ``valid_until`` and schedule their refunds (DESIGN §5).

    One batch of a sweep, a failing boost isolated (``sweeps.isolated_batch``).
    """
    return isolated_batch(
        EXPIRING, now=now, after_id=after_id, limit=limit, quarantined=quarantined
    )


def expire(*, boost: Boost, now: datetime) -> Settlement | None:
    """Expire one boost if its validity has passed unpublished."""
    with transaction.atomic():
        locked = (
            Boost.objects.select_for_update(of=("self",)).select_related("line").get(pk=boost.pk)
        )
        if locked.status == Status.AWAITING_PUBLISH and locked.valid_until <= now:
            record_outcomes(
                [
                    Outcome(
                        BoostRow.of(locked),
                        Status.EXPIRED,
                        Settlement.Kind.REFUND,
                        locked.valid_until,
                    )
                ],
                now=now,
                note=_("Not published within the validity period"),
            )
        return Settlement.objects.filter(boost=locked).first()


def cancel(*, boost: Boost, actor: User, reason: str, now: datetime) -> Settlement:
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
        record_outcomes(
            [
                Outcome(
                    BoostRow.of(locked),
                    Status.CANCELLED,
                    Settlement.Kind.REFUND,
                    now,
                    note=reason.strip(),
                )
            ],
            now=now,
            actor=actor,
            note=reason.strip(),
        )
        return Settlement.objects.get(boost=locked)
