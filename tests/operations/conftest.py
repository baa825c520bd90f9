"""Operations fixtures: the migrated beat schedule and sweep heartbeats at chosen instants."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.apps import apps

from operations.models import SweepRun
from operations.sweeps import SWEEP_TASKS

beat_schedule = importlib.import_module("settlements.migrations.0001_squashed_0012")


@pytest.fixture
def schedule(db, now):
    """The four sweep rows of the migration (a transactional test elsewhere may have flushed them),
    installed well before ``now`` so a sweep with no run is stale."""
    beat_schedule.install_schedule(apps, None)
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(task__in=SWEEP_TASKS).update(date_changed=now - timedelta(days=30))


@pytest.fixture
def ran() -> Callable[..., SweepRun]:
    """``ran(task, at, succeeded=True)``: a finished run of ``task`` that ended at ``at``."""

    def make(task: str, at: datetime, *, succeeded: bool = True) -> SweepRun:
        return SweepRun.objects.create(
            task_name=task,
            task_id=f"{task}-{at.isoformat()}",
            started_at=at - timedelta(seconds=2),
            finished_at=at,
            succeeded=succeeded,
            counts={"settled": 1} if succeeded else {},
            error="" if succeeded else "RuntimeError: boom",
        )

    return make


@pytest.fixture
def all_fresh(schedule, ran, now) -> list[SweepRun]:
    """Every sweep succeeded one minute before ``now``."""
    return [ran(task, now - timedelta(minutes=1)) for task in SWEEP_TASKS]
