"""The periodic sweeps are installed by a migration, so ``migrate`` is all it takes (DESIGN §9).

These tests read the rows ``migrate`` put in the test database; pytest-django runs them before
any transactional test flushes the tables. The worker and beat processes themselves are exercised
in ``tests/integration/test_worker.py``.
"""

import importlib
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django_celery_beat.models import (
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    PeriodicTasks,
)
from django_celery_beat.schedulers import ModelEntry

from starboost.celery import app
from tests.factories import SHANGHAI

pytestmark = pytest.mark.django_db
migration = importlib.import_module("settlements.migrations.0001_squashed_0012")
ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    # name: (task, interval or crontab, expire_seconds)
    "Close ended boost windows": ("settlements.tasks.close_windows", "5 minutes", 300),
    "Expire unpublished boosts": ("settlements.tasks.expire_unpublished", "5 minutes", 300),
    "Pay due settlements": ("settlements.tasks.pay_due", "15 minutes", 900),
    "Refresh influencer quotes": ("orders.tasks.refresh_quotes", "0 3 * * * Asia/Shanghai", 86400),
}


def installed() -> dict[str, tuple[str, str, int]]:
    rows = {}
    for task in PeriodicTask.objects.filter(name__in=EXPECTED).select_related(
        "interval", "crontab"
    ):
        if task.interval:
            when = f"{task.interval.every} {task.interval.period}"
        else:
            c = task.crontab
            when = (
                f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week} "
                f"{c.timezone}"
            )
        rows[task.name] = (task.task, when, task.expire_seconds)
    return rows


def test_migrate_installs_the_four_sweeps_with_their_schedules():
    assert installed() == EXPECTED
    tasks = PeriodicTask.objects.filter(name__in=EXPECTED)
    assert all(t.enabled and not t.one_off and t.expires is None for t in tasks)
    # Every scheduled name is a task the worker knows, with no arguments: ``now`` is the clock.
    app.loader.import_default_modules()
    assert {t.task for t in tasks} <= set(app.tasks)
    assert {(t.args, t.kwargs) for t in tasks} == {("[]", "{}")}


def test_each_sweep_message_expires_after_one_period_so_a_backlog_holds_no_duplicates():
    for task in PeriodicTask.objects.filter(name__in=EXPECTED):
        entry = ModelEntry(task, app=app)
        if task.interval:
            period = timedelta(**{task.interval.period: task.interval.every})
        else:
            period = timedelta(days=1)
        assert entry.options["expires"] == period.total_seconds(), task.name


def test_quote_refresh_runs_daily_at_three_in_the_morning_shanghai_time():
    schedule = PeriodicTask.objects.get(name="Refresh influencer quotes").schedule
    assert str(schedule.tz) == "Asia/Shanghai"
    last_run = datetime(2026, 11, 25, 3, 0, tzinfo=SHANGHAI)
    schedule.nowfun = lambda: datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
    assert schedule.remaining_estimate(last_run) == timedelta(hours=15)  # next: 26 Nov, 03:00


def test_installing_again_adds_nothing_and_keeps_an_operators_changes():
    pay = PeriodicTask.objects.get(name="Pay due settlements")
    pay.interval = IntervalSchedule.objects.create(every=30, period=IntervalSchedule.MINUTES)
    pay.enabled = False
    pay.save()
    counts = (
        PeriodicTask.objects.count(),
        IntervalSchedule.objects.count(),
        CrontabSchedule.objects.count(),
    )

    migration.install_schedule(apps, None)

    assert (
        PeriodicTask.objects.count(),
        IntervalSchedule.objects.count(),
        CrontabSchedule.objects.count(),
    ) == counts
    pay.refresh_from_db()
    assert (pay.interval.every, pay.enabled) == (30, False)


def test_reversing_removes_the_sweeps_but_not_schedules_other_tasks_use():
    other = PeriodicTask.objects.create(
        name="An operator's own task",
        task="settlements.tasks.close_windows",
        interval=PeriodicTask.objects.get(name="Pay due settlements").interval,
    )
    changed_before = PeriodicTasks.last_change()

    migration.remove_schedule(apps, None)

    assert installed() == {}
    assert PeriodicTask.objects.filter(pk=other.pk).exists()
    assert IntervalSchedule.objects.filter(pk=other.interval_id).exists()
    assert not IntervalSchedule.objects.filter(every=5, period="minutes").exists()
    assert not CrontabSchedule.objects.filter(hour="3", minute="0").exists()
    # A running beat notices the change and reloads its schedule.
    assert PeriodicTasks.last_change() > changed_before

    migration.install_schedule(apps, None)
    assert installed() == EXPECTED
    assert PeriodicTask.objects.get(name="Pay due settlements").interval_id == other.interval_id


def test_sweeps_are_acknowledged_after_they_ran_and_redelivered_when_a_worker_dies():
    probe = (
        "from starboost.celery import app; c = app.conf;"
        "print(c.task_acks_late, c.task_reject_on_worker_lost, c.worker_prefetch_multiplier,"
        " c.broker_transport_options['visibility_timeout'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "CELERY_VISIBILITY_TIMEOUT"}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**env, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    acks_late, reject_on_lost, prefetch, visibility = result.stdout.split()
    assert (acks_late, reject_on_lost, prefetch) == ("True", "True", "1")
    # Longer than the longest sweep (bench/: 100,000 due boosts settle and pay in minutes).
    assert int(visibility) >= 3600
