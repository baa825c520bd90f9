"""Each sweep run leaves a heartbeat written by Celery signals, and sweep_health reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from operations.models import SweepRun
from operations.selectors import sweep_health
from operations.sweeps import SWEEP_TASKS
from orders.tasks import refresh_quotes
from settlements import services as settlement_services
from settlements.tasks import close_windows, pay_due

pytestmark = pytest.mark.django_db


def test_a_sweep_run_records_start_end_success_and_counts():
    result = close_windows.apply(kwargs={"now": "2026-03-10T10:00:00+08:00"})

    run = SweepRun.objects.get()
    assert result.successful()
    assert run.task_name == "settlements.tasks.close_windows"
    assert run.task_id == result.id
    assert run.succeeded and run.error == ""
    assert run.started_at <= run.finished_at
    assert run.counts == result.result


def test_a_failing_sweep_records_its_error_and_is_not_a_success(monkeypatch):
    def broken(batch, *, now):
        raise RuntimeError("database went away")

    monkeypatch.setattr(settlement_services, "sweep", broken)
    result = pay_due.apply()

    run = SweepRun.objects.get()
    assert result.failed()
    assert not run.succeeded
    assert run.finished_at is not None
    assert run.error == "RuntimeError: database went away"


def test_refresh_quotes_is_a_watched_sweep_too():
    refresh_quotes.apply()
    assert SweepRun.objects.get().counts == {"refreshed": 0}


def test_other_tasks_leave_no_heartbeat(settings):
    from starboost.celery import app

    @app.task(name="tests.operations.not_a_sweep")
    def not_a_sweep() -> int:
        return 1

    not_a_sweep.apply()
    assert not SweepRun.objects.exists()


def test_sweep_health_reads_last_success_and_period_from_the_schedule(schedule, ran, now):
    ran("settlements.tasks.close_windows", now - timedelta(minutes=14))
    ran("settlements.tasks.expire_unpublished", now - timedelta(minutes=16))
    ran("settlements.tasks.pay_due", now - timedelta(minutes=20))
    ran("settlements.tasks.pay_due", now - timedelta(minutes=1), succeeded=False)

    health = {sweep.short_name: sweep for sweep in sweep_health(now)}

    assert [sweep.task_name for sweep in sweep_health(now)] == list(SWEEP_TASKS)
    assert health["close_windows"].period == timedelta(minutes=5)
    assert health["close_windows"].label == "Close ended boost windows"
    assert not health["close_windows"].stale
    assert health["expire_unpublished"].stale  # 16 min > 3 × 5 min
    assert health["pay_due"].period == timedelta(minutes=15)
    assert health["pay_due"].last_success == now - timedelta(minutes=20)
    assert health["pay_due"].last_run.succeeded is False  # the failed run is the latest
    assert not health["pay_due"].stale  # 20 min < 3 × 15 min
    assert health["refresh_quotes"].period == timedelta(days=1)
    assert health["refresh_quotes"].last_success is None
    assert health["refresh_quotes"].stale  # never ran, installed 30 days ago
    assert health["close_windows"].seconds_since_success == 14 * 60


def test_the_threshold_follows_the_schedule_an_operator_edits(schedule, ran, now):
    ran("settlements.tasks.close_windows", now - timedelta(minutes=20))
    task = PeriodicTask.objects.get(task="settlements.tasks.close_windows")
    task.interval, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    task.save()

    close = next(s for s in sweep_health(now) if s.short_name == "close_windows")
    assert close.period == timedelta(minutes=10)
    assert not close.stale  # 20 min < 3 × 10 min


def test_a_disabled_sweep_is_stale_however_recent_its_success(schedule, ran, now):
    ran("settlements.tasks.pay_due", now - timedelta(minutes=1))
    PeriodicTask.objects.filter(task="settlements.tasks.pay_due").update(enabled=False)

    pay = next(s for s in sweep_health(now) if s.short_name == "pay_due")
    assert pay.period is None and pay.stale


def test_an_old_run_is_pruned_when_a_newer_one_finishes(ran, now):
    old = ran("settlements.tasks.close_windows", now - timedelta(days=40))
    close_windows.apply()
    assert not SweepRun.objects.filter(pk=old.pk).exists()
    assert SweepRun.objects.count() == 1
