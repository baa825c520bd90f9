"""The sweeps we watch and when one counts as stale: plain rules, no models (DESIGN §9)."""

from __future__ import annotations

from datetime import datetime, timedelta

from celery.schedules import BaseSchedule, crontab, schedule

# The periodic sweeps whose runs are recorded (operations.heartbeats) and watched: a sweep that
# stops succeeding silently breaks "paid within 7 business days".
SWEEP_TASKS = (
    "settlements.tasks.close_windows",
    "settlements.tasks.expire_unpublished",
    "settlements.tasks.pay_due",
    "orders.tasks.refresh_quotes",
)
# A sweep is stale when it has not succeeded for this many of its periods: one late or failed run
# is noise, three in a row mean beat or the workers stopped.
STALE_AFTER_PERIODS = 3


def _next_run(cron: crontab, after: datetime) -> datetime:
    start, delta, _now = cron.remaining_delta(after)
    return start + delta


def period_of(beat_schedule: BaseSchedule, *, now: datetime) -> timedelta | None:
    """The time between two runs: an interval's length, or a crontab's next two runs' gap.

    None for anything else (a one-off clocked or solar schedule has no period to watch).
    """
    if isinstance(beat_schedule, crontab):
        first = _next_run(beat_schedule, now)
        return _next_run(beat_schedule, first) - first
    if isinstance(beat_schedule, schedule):
        return beat_schedule.run_every
    return None


def is_stale(
    *, last_success: datetime | None, since: datetime, period: timedelta | None, now: datetime
) -> bool:
    """True when the sweep has not succeeded within ``STALE_AFTER_PERIODS`` periods.

    A sweep that never succeeded is measured from ``since`` (when its schedule was installed or
    last changed), so a fresh deployment is not stale before its first runs were due. A sweep
    with no period (not scheduled, disabled, or a one-off) is always stale: nothing runs it.
    """
    if period is None:
        return True
    return now - (last_success or since) > STALE_AFTER_PERIODS * period
