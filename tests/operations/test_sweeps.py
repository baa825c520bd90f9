"""The staleness rule and the period read from the beat schedule (operations.sweeps)."""

from __future__ import annotations

from datetime import datetime, timedelta

from celery.schedules import BaseSchedule, crontab, schedule

from operations.sweeps import STALE_AFTER_PERIODS, is_stale, period_of

NOW = datetime.fromisoformat("2026-03-10T10:00:00+08:00")
FIVE_MINUTES = timedelta(minutes=5)


def test_an_interval_period_is_its_length():
    assert period_of(schedule(FIVE_MINUTES), now=NOW) == FIVE_MINUTES


def test_a_daily_crontab_period_is_one_day():
    assert period_of(crontab(minute="0", hour="3"), now=NOW) == timedelta(days=1)


def test_a_crontab_period_is_the_gap_between_its_next_two_runs():
    assert period_of(crontab(minute="*/7"), now=NOW) == timedelta(minutes=7)


def test_a_schedule_with_no_period_has_none():
    assert period_of(BaseSchedule(), now=NOW) is None  # e.g. a one-off clocked schedule


def test_a_sweep_is_stale_only_after_three_periods_without_success():
    assert STALE_AFTER_PERIODS == 3
    limit = NOW - 3 * FIVE_MINUTES
    assert not is_stale(last_success=limit, since=limit, period=FIVE_MINUTES, now=NOW)
    late = limit - timedelta(seconds=1)
    assert is_stale(last_success=late, since=late, period=FIVE_MINUTES, now=NOW)


def test_a_sweep_that_never_ran_is_measured_from_its_schedule():
    installed = NOW - timedelta(minutes=10)
    assert not is_stale(last_success=None, since=installed, period=FIVE_MINUTES, now=NOW)
    installed = NOW - timedelta(minutes=16)
    assert is_stale(last_success=None, since=installed, period=FIVE_MINUTES, now=NOW)


def test_an_unscheduled_sweep_is_always_stale():
    assert is_stale(last_success=NOW, since=NOW, period=None, now=NOW)
