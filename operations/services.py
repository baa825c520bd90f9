"""Writes of sweep heartbeats: a run starts, fails, finishes; old runs are pruned."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from .models import SweepRun

# Heartbeats are monitoring, not an audit trail: a month of runs (about 700 a day) is kept.
RETENTION = timedelta(days=30)
ERROR_MAX_CHARS = 4000


def start_sweep_run(*, task_name: str, task_id: str, now: datetime) -> SweepRun:
    """Record that a worker started running ``task_name`` (message ``task_id``)."""
    run = SweepRun(task_name=task_name, task_id=task_id, started_at=now)
    run.full_clean()
    run.save()
    return run


def _open_run(task_id: str) -> SweepRun | None:
    # The newest unfinished row of this message: a redelivered message (its first worker died)
    # runs again under the same task id, and only the latest run is still open.
    return (
        SweepRun.objects.select_for_update()
        .filter(task_id=task_id, finished_at__isnull=True)
        .order_by("-started_at", "-pk")
        .first()
    )


def record_sweep_error(*, task_id: str, error: str) -> None:
    """Keep the exception text of a failing run (finish_sweep_run then marks it failed)."""
    with transaction.atomic():
        run = _open_run(task_id)
        if run is None:
            return
        run.error = error[:ERROR_MAX_CHARS]
        run.save(update_fields=["error"])


def finish_sweep_run(
    *, task_id: str, succeeded: bool, counts: Any, now: datetime
) -> SweepRun | None:
    """Close the open run of ``task_id``; a no-op when none is open (already closed).

    ``counts`` is the sweep's return value, kept when it is a mapping (every sweep returns its
    counts as one). Runs older than ``RETENTION`` of the same task are pruned on the way.
    """
    with transaction.atomic():
        run = _open_run(task_id)
        if run is None:
            return None
        run.finished_at = now
        run.succeeded = succeeded and not run.error
        run.counts = dict(counts) if isinstance(counts, dict) else {}
        run.full_clean()
        run.save(update_fields=["finished_at", "succeeded", "counts"])
        SweepRun.objects.filter(task_name=run.task_name, started_at__lt=now - RETENTION).delete()
    return run
