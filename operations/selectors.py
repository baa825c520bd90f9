"""Reads of sweep heartbeats against the beat schedule: is every sweep running on time?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django_celery_beat.models import PeriodicTask

from .models import SweepRun
from .sweeps import SWEEP_TASKS, is_stale, period_of


@dataclass(frozen=True)
class SweepHealth:
    """One sweep's schedule and heartbeat as of ``now``."""

    task_name: str
    label: str
    period: timedelta | None
    last_success: datetime | None
    last_run: SweepRun | None
    stale: bool
    now: datetime

    @property
    def seconds_since_success(self) -> float | None:
        if self.last_success is None:
            return None
        return (self.now - self.last_success).total_seconds()

    @property
    def short_name(self) -> str:
        return self.task_name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class _Schedule:
    label: str
    period: timedelta | None
    changed_at: datetime


def _more_often(period: timedelta | None, *, than: timedelta | None) -> bool:
    return period is not None and (than is None or period < than)


def _schedules(now: datetime) -> dict[str, _Schedule]:
    """Per sweep task, its enabled schedule row with the shortest period (1 query).

    With no enabled periodic row, the first row is kept with no period (the sweep is not sent).
    """
    rows = PeriodicTask.objects.filter(task__in=SWEEP_TASKS).select_related(
        "interval", "crontab", "solar", "clocked"
    )
    found: dict[str, _Schedule] = {}
    for row in rows.order_by("pk"):
        period = period_of(row.schedule, now=now) if row.enabled and not row.one_off else None
        known = found.get(row.task)
        if known is None or _more_often(period, than=known.period):
            found[row.task] = _Schedule(row.name, period, row.date_changed)
    return found


def sweep_health(now: datetime) -> list[SweepHealth]:
    """Every watched sweep: last success, period from the beat schedule, stale flag.

    The period follows the django-celery-beat rows, so an operator's change of schedule moves the
    threshold with it. A sweep with no enabled schedule row is stale (nothing sends it).
    Queries: one for the schedule, one for the last successes, one per sweep for its last run.
    """
    schedules = _schedules(now)
    successes = dict(
        SweepRun.objects.filter(task_name__in=SWEEP_TASKS, succeeded=True)
        .order_by()
        .values("task_name")
        .annotate(last=Max("finished_at"))
        .values_list("task_name", "last")
    )
    health = []
    for task_name in SWEEP_TASKS:
        scheduled = schedules.get(task_name, _Schedule(task_name, None, now))
        last_success = successes.get(task_name)
        health.append(
            SweepHealth(
                task_name=task_name,
                label=scheduled.label,
                period=scheduled.period,
                last_success=last_success,
                last_run=SweepRun.objects.filter(task_name=task_name).first(),
                stale=is_stale(
                    last_success=last_success,
                    since=scheduled.changed_at,
                    period=scheduled.period,
                    now=now,
                ),
                now=now,
            )
        )
    return health
