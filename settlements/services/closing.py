"""Closing 14-day windows: settle each boost on its closing snapshot, or park it (DESIGN §5, §6).

Locks boosts (never their lines) in id order, reads them as rows (``BoostRow``), then settlements
are inserted by ``records.record_outcomes``. Views count only up to the window end and while the
video is live (``counted_snapshots``); a shortfall records its cause and a creator-caused one
opens a recovery case (``recoveries``); flagged counts hold the payout for finance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from orders.models import Boost, ViewSnapshot
from orders.selectors import counted_snapshots
from orders.services import Move, move_boosts

from .. import calculations
from ..models import QuarantinedRow, Settlement
from .errors import SettlementError
from .planning import index_scans_only
from .records import BoostRow, Outcome, record_outcomes
from .recoveries import ShortfallFacts, open_recoveries
from .sweeps import DueRows, chosen_or_isolated_batch

Status = Boost.Status


class Seen(NamedTuple):
    """A closing snapshot as a row: what a settlement records of it."""

    id: int
    views: int
    observed_at: datetime


def _seen(snapshot_ids: list[int]) -> dict[int, Seen]:
    """The closing snapshots by id, as rows: no instance, no join for the model's ordering."""
    rows = ViewSnapshot.objects.filter(pk__in=snapshot_ids).order_by()
    return {row[0]: Seen(*row) for row in rows.values_list("pk", "views", "observed_at")}


def _window_outcome(
    boost: BoostRow, snapshot: Seen | None, *, facts: ShortfallFacts, forced: str = ""
) -> Outcome:
    actual = snapshot.views if snapshot is not None else 0
    explanation = calculations.explain_compensation(
        boost.expected_views, actual, boost.fixed_price, boost.boost_fee
    )
    shortfall = actual < boost.expected_views
    assert boost.window_end is not None  # only a published boost has a window to close
    return Outcome(
        boost=boost,
        to=Status.COMPENSATED if shortfall else Status.SUCCEEDED,
        kind=Settlement.Kind.COMPENSATION if shortfall else Settlement.Kind.NONE,
        ended_at=boost.window_end,
        explanation=explanation,
        snapshot_id=snapshot.id if snapshot is not None else None,
        snapshot_observed_at=snapshot.observed_at if snapshot is not None else None,
        note=forced,
        cause=facts.cause(boost),
        hold_reason=facts.hold_reason(boost),
    )


def _is_fresh(boost: BoostRow, snapshot: Seen | None, facts: ShortfallFacts) -> bool:
    """Whether the closing snapshot may settle: recent, or frozen by the video's status."""
    freshness = timedelta(hours=settings.SNAPSHOT_FRESHNESS_HOURS)
    end = boost.window_end
    if snapshot is None or end is None:
        return False
    return snapshot.observed_at >= end - freshness or facts.frozen_at_end(boost)


# What closing, its records and announcements and the recovery cases read of a boost, its line
# and its order: a ``BoostRow``'s fields, in order.
_CLOSING_READS = (
    "pk",
    "status",
    "line_id",
    "expected_views",
    "boost_fee",
    "window_start",
    "window_end",
    "line__fixed_price",
    "line__influencer_id",
    "line__order__client_id",
)


def _lock_ids(queryset: QuerySet[Boost], *, skip_locked: bool) -> QuerySet:
    """Lock boosts in id order, ids alone: no join, so only boosts are locked (never their lines
    or orders, whatever a values query would otherwise lock)."""
    return (
        queryset.select_for_update(skip_locked=skip_locked)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _closing_rows(ids: list[int]) -> QuerySet:
    """Locked boosts read as ``BoostRow`` fields with the id of their closing snapshot last (None
    when no snapshot counts), in id order."""
    closing = counted_snapshots(OuterRef("line_id"), OuterRef("window_end"))
    return (
        Boost.objects.filter(pk__in=ids)
        .annotate(closing_snapshot_id=Subquery(closing.values("pk")[:1]))
        .order_by("pk")
        .values_list(*_CLOSING_READS, "closing_snapshot_id")
    )


def _locked(due: QuerySet[Boost], *, limit: int, skip_locked: bool) -> list[tuple[BoostRow, int]]:
    """Lock up to ``limit`` due boosts; each as a row with its closing snapshot's id (0 for
    none: ids start at 1)."""
    ids = list(_lock_ids(due, skip_locked=skip_locked)[:limit])
    if not ids:
        return []
    return [(BoostRow(*row[:-1]), row[-1] or 0) for row in _closing_rows(ids)]


def _close(
    due: QuerySet[Boost], *, now: datetime, limit: int, skip_locked: bool
) -> tuple[int, dict[str, int]]:
    """Lock up to ``limit`` due boosts and settle or park each; the caller holds the transaction.

    Planned on index scans alone (``planning``): the read of 500 boosts with their lines and
    orders otherwise hashes the whole order-line table once it is large (a sequential scan of
    100,000 lines, 15-25 ms a batch), so a batch would cost the table, not its rows.
    """
    with index_scans_only():
        return _close_planned(due, now=now, limit=limit, skip_locked=skip_locked)


def _close_planned(
    due: QuerySet[Boost], *, now: datetime, limit: int, skip_locked: bool
) -> tuple[int, dict[str, int]]:
    locked = _locked(due, limit=limit, skip_locked=skip_locked)
    if not locked:
        return 0, {}
    snapshots = _seen([snapshot_id for _boost, snapshot_id in locked if snapshot_id])
    outcomes, stale = [], []
    facts = ShortfallFacts.of([boost for boost, _snapshot_id in locked])
    for boost, snapshot_id in locked:
        snapshot = snapshots.get(snapshot_id)
        if _is_fresh(boost, snapshot, facts):
            outcomes.append(_window_outcome(boost, snapshot, facts=facts))
        elif boost.status == Status.ACTIVE:
            stale.append(Move(boost.pk, boost.status, Status.AWAITING_VIEWS))
    move_boosts(stale, now=now, note=_("No fresh view data at window end"))
    open_recoveries(record_outcomes(outcomes, now=now, note=_("Window closed")), now=now)
    counts = {"awaiting_views": len(stale)}
    for o in outcomes:
        counts[str(o.to)] = counts.get(str(o.to), 0) + 1
    return locked[-1][0].pk, counts


CLOSING = DueRows(
    sweep=QuarantinedRow.Sweep.CLOSE_WINDOWS,
    model=Boost,
    pending=Q(status__in=[Status.ACTIVE, Status.AWAITING_VIEWS]),
    due_by=lambda now: Q(window_end__lte=now),
    work=_close,
)


def close_windows_batch(
    *,
    now: datetime,
    after_id: int = 0,
    limit: int = 500,
    boost_ids: Sequence[int] | None = None,
    quarantined: bool = False,
) -> tuple[int, dict[str, int]]:
    """Close the 14-day windows that ended by ``now`` (DESIGN §5), one batch.

    Boosts with a fresh closing snapshot are settled (``none`` or ``compensation``); the others
    wait in ``awaiting_views``. Rows another worker holds are skipped. Returns the last id seen
    (0 when the batch was empty) and counts by outcome. A sweep's batch isolates a failing boost
    (``sweeps.isolated_batch``); with ``boost_ids`` (one operator action) an error is raised.
    """
    return chosen_or_isolated_batch(
        CLOSING, boost_ids, now=now, after_id=after_id, limit=limit, quarantined=quarantined
    )


def close_window(*, boost: Boost, now: datetime) -> Settlement | None:
    """Close one boost's window if it has ended; returns its settlement once there is one."""
    close_windows_batch(now=now, boost_ids=[boost.pk])
    return Settlement.objects.filter(boost=boost).first()


def settle_with_available_views(
    *, boost: Boost, actor: User, reason: str, now: datetime
) -> Settlement:
    """Finance settles a boost stuck in ``awaiting_views`` on the data there is (DESIGN §5).

    Uses the latest snapshot at or before window end however old; with none at all the actual
    views are 0 (the whole capped compensation). The reason is kept on the settlement.
    """
    if not reason.strip():
        raise SettlementError(_("Settling without fresh views needs a reason."))
    with transaction.atomic():
        locked = _locked(Boost.objects.filter(pk=boost.pk), limit=1, skip_locked=False)
        row, snapshot_id = locked[0]
        if row.status != Status.AWAITING_VIEWS:
            raise SettlementError(
                _("Only a boost awaiting views can be settled this way; this one is %(s)s.")
                % {"s": Status(row.status).label}
            )
        snapshot = _seen([snapshot_id]).get(snapshot_id) if snapshot_id else None
        outcome = _window_outcome(
            row, snapshot, facts=ShortfallFacts.of([row]), forced=reason.strip()
        )
        settled = record_outcomes(
            [outcome], now=now, actor=actor, note=_("Settled by finance: %(r)s") % {"r": reason}
        )
        open_recoveries(settled, now=now)
        return Settlement.objects.get(boost=boost)
