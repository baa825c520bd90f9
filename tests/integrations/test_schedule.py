"""The integrations' periodic tasks are installed by a migration, like the settlement sweeps."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from starboost.celery import app

pytestmark = pytest.mark.django_db
migration = importlib.import_module("integrations.migrations.0001_squashed_0002")

EXPECTED = {
    "Dispatch client events": ("integrations.tasks.dispatch_events", 1, 60),
    "Retry due deliveries": ("integrations.tasks.retry_deliveries", 1, 60),
    "Flag boosts at risk": ("integrations.tasks.flag_boosts_at_risk", 30, 1800),
}


def installed() -> dict[str, tuple[str, int, int]]:
    return {
        t.name: (t.task, t.interval.every, t.expire_seconds)
        for t in PeriodicTask.objects.filter(name__in=EXPECTED).select_related("interval")
    }


def test_migrate_installs_the_fan_out_retry_and_at_risk_tasks():
    assert installed() == EXPECTED
    app.loader.import_default_modules()
    assert {task for task, _every, _expires in EXPECTED.values()} <= set(app.tasks)


def test_installing_again_keeps_an_operators_change_and_reversing_removes_them():
    PeriodicTask.objects.filter(name="Flag boosts at risk").update(enabled=False)
    migration.install_schedule(apps, None)
    assert PeriodicTask.objects.get(name="Flag boosts at risk").enabled is False
    migration.remove_schedule(apps, None)
    assert installed() == {}
    migration.install_schedule(apps, None)
    assert installed() == EXPECTED
