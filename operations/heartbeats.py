"""Celery signal receivers that record each sweep's run (operations.services), tasks untouched.

Celery logs and swallows a receiver's exception, so a heartbeat that cannot be written never
stops the sweep itself.
"""

from __future__ import annotations

from typing import Any

from celery.signals import task_failure, task_postrun, task_prerun
from django.utils import timezone

from . import services
from .sweeps import SWEEP_TASKS


def _is_sweep(task: Any) -> bool:
    return getattr(task, "name", None) in SWEEP_TASKS


@task_prerun.connect(dispatch_uid="operations.sweep_started")
def sweep_started(*, task_id: str, task: Any, **_: Any) -> None:
    if _is_sweep(task):
        services.start_sweep_run(task_name=task.name, task_id=task_id, now=timezone.now())


@task_failure.connect(dispatch_uid="operations.sweep_failed")
def sweep_failed(*, task_id: str, exception: BaseException, sender: Any = None, **_: Any) -> None:
    if _is_sweep(sender):
        error = f"{type(exception).__name__}: {exception}"
        services.record_sweep_error(task_id=task_id, error=error)


@task_postrun.connect(dispatch_uid="operations.sweep_finished")
def sweep_finished(
    *, task_id: str, task: Any, retval: Any = None, state: str | None = None, **_: Any
) -> None:
    if _is_sweep(task):
        services.finish_sweep_run(
            task_id=task_id, succeeded=state == "SUCCESS", counts=retval, now=timezone.now()
        )
