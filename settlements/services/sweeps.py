"""Sweeps: run a batch service over every due row, one bad row never stopping the others (§9).

A batch is set-based: a constant number of statements for its rows, in one transaction. When it
raises (any exception: a value the driver cannot read, an overflow, a bug), the batch is rolled
back and its rows are run again one by one, each in its own transaction; a row that fails alone
is quarantined with its error (``quarantine``) and the others are processed. Quarantined rows are
left out of the batches and retried once per run, alone.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet

from ..models import QuarantinedRow
from .quarantine import open_rows, quarantine, resolve

logger = logging.getLogger(__name__)

Batch = Callable[..., tuple[int, dict[str, int]]]
# Lock up to ``limit`` rows of the queryset in id order, process them in the caller's transaction,
# and return the last id processed (0 when none could be locked) with counts by outcome.
Work = Callable[..., tuple[int, dict[str, int]]]


@dataclass(frozen=True)
class DueRows:
    """One sweep's rows: which are pending, which of those are due at ``now``, and their work."""

    sweep: str
    model: type[models.Model]
    pending: Q
    due_by: Callable[[datetime], Q]
    work: Work

    def due(self, now: datetime) -> QuerySet:
        """The rows due at ``now``, quarantined ones included."""
        return self.model._default_manager.filter(self.pending, self.due_by(now))

    def batch_rows(self, now: datetime, after_id: int) -> QuerySet:
        """The due rows after ``after_id`` that a batch takes: open quarantined rows left out."""
        return (
            self.due(now)
            .filter(pk__gt=after_id)
            .exclude(pk__in=open_rows(self.sweep).values("object_id"))
        )


def sweep(batch: Batch, *, now: datetime, limit: int = 500) -> dict[str, int]:
    """Run a batch service over every due row once, in id order; returns summed counts.

    First the quarantined rows are retried, one by one (``resolved`` counts the successes), then
    the other due rows go batch by batch: retrying first means a row that fails in this run is
    tried once per run, not twice. Each batch is its own transaction, so a crash loses at
    most the batch in flight (rolled back, redone by the next run). Rows locked by a concurrent
    run are skipped, not waited for. ``quarantined`` counts the rows that failed in this run.
    """
    totals: Counter[str] = Counter()
    for quarantined in (True, False):
        after_id = 0
        while True:
            after_id, counts = batch(
                now=now, after_id=after_id, limit=limit, quarantined=quarantined
            )
            if not after_id:
                break
            totals.update(counts)
            totals["batches"] += not quarantined
    return {"batches": totals.pop("batches", 0), **totals}


def isolated_batch(
    rows: DueRows, *, now: datetime, after_id: int, limit: int, quarantined: bool = False
) -> tuple[int, dict[str, int]]:
    """One batch of a sweep: the due rows after ``after_id``, set-based, isolating a failure.

    With ``quarantined`` the batch is the sweep's open quarantined rows instead, each retried alone.
    Returns the last id seen (0 when there was nothing left) and counts by outcome.
    """
    if quarantined:
        return _retry(rows, now=now, after_id=after_id, limit=limit)
    due = rows.batch_rows(now, after_id)
    try:
        with transaction.atomic():
            return rows.work(due, now=now, limit=limit, skip_locked=True)
    except Exception:
        logger.warning(
            "%s: a batch after id %s failed; running its rows one by one",
            rows.sweep,
            after_id,
            exc_info=True,
        )
    # Ids only: the column that made the batch fail may be unreadable.
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    counts: Counter[str] = Counter()
    for pk in ids:
        counts.update(_alone(rows, pk, now=now, retried=False))
    return (ids[-1] if ids else 0), dict(counts)


def chosen_or_isolated_batch(
    rows: DueRows,
    ids: Sequence[int] | None,
    *,
    now: datetime,
    after_id: int,
    limit: int,
    quarantined: bool,
    **options: Any,
) -> tuple[int, dict[str, int]]:
    """One batch of a sweep (``ids`` None), a failing row isolated (``isolated_batch``); or the
    due rows among ``ids`` (one operator action), in one transaction, raising their error.

    ``options`` (the operator, say) go to the work on the chosen rows.
    """
    if ids is None:
        return isolated_batch(
            rows, now=now, after_id=after_id, limit=limit, quarantined=quarantined
        )
    with transaction.atomic():
        due = rows.due(now).filter(pk__gt=after_id, pk__in=ids)
        return rows.work(due, now=now, limit=limit, skip_locked=False, **options)


def _retry(
    rows: DueRows, *, now: datetime, after_id: int, limit: int
) -> tuple[int, dict[str, int]]:
    """Retry open quarantined rows alone: a success resolves one, a failure bumps its attempts.

    A row no longer pending (an operator settled, held or cancelled it) is resolved as not due; one
    still pending but not due at ``now`` (a sweep replayed as of an earlier instant) stays open.
    """
    ids = list(
        open_rows(rows.sweep)
        .filter(object_id__gt=after_id)
        .order_by("object_id")
        .values_list("object_id", flat=True)[:limit]
    )
    if not ids:
        return 0, {}
    pending = set(
        rows.model._default_manager.filter(rows.pending, pk__in=ids).values_list("pk", flat=True)
    )
    gone = [pk for pk in ids if pk not in pending]
    counts: Counter[str] = Counter()
    counts["resolved"] += resolve(
        sweep=rows.sweep, object_ids=gone, resolution=QuarantinedRow.Resolution.NOT_DUE, now=now
    )
    for pk in sorted(pending):
        counts.update(_alone(rows, pk, now=now, retried=True))
    return ids[-1], {key: n for key, n in counts.items() if n}


def _alone(rows: DueRows, pk: int, *, now: datetime, retried: bool) -> Counter[str]:
    """Run the work on row ``pk`` alone, in its own transaction; returns its counts.

    A failure quarantines the row (a ``retried`` one's attempts go up) and counts as
    ``quarantined``. A ``retried`` row the work processed is resolved in the same transaction.
    """
    counts: Counter[str] = Counter()
    try:
        with transaction.atomic():
            # Nothing locked: not due yet at ``now``, or a concurrent run holds the row.
            last, done = rows.work(rows.due(now).filter(pk=pk), now=now, limit=1, skip_locked=True)
            if retried and last:
                resolve(
                    sweep=rows.sweep,
                    object_ids=[pk],
                    resolution=QuarantinedRow.Resolution.RETRIED,
                    now=now,
                )
    except Exception as error:
        if retried:
            logger.warning("%s: %s %s failed again", rows.sweep, rows.model._meta.label, pk)
        else:
            logger.exception("%s: %s %s quarantined", rows.sweep, rows.model._meta.label, pk)
        quarantine(sweep=rows.sweep, model=rows.model, object_id=pk, error=error, now=now)
        counts["quarantined"] += 1
    else:
        counts.update(done)
        if retried:
            counts["resolved"] += bool(last)
    return counts
