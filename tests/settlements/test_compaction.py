"""Compaction (``services.compact_snapshots``): old snapshots of settled boosts thinned to the last
of each Shanghai day; the closing snapshot and every snapshot a settlement references are kept."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from orders.models import Boost, OrderLine, VideoStatus, VideoStatusEvent, ViewSnapshot
from orders.selectors import counted_snapshots
from orders.services import SnapshotIn, record_views
from settlements import services, tasks
from settlements.models import Settlement
from tests import factories
from tests.factories import SHANGHAI, T0

pytestmark = pytest.mark.django_db
STEP = timedelta(hours=6)
# Published T0 + 1 h = 2026-03-10 11:00 Shanghai; the window ends 2026-03-24 11:00.
PUBLISHED = T0 + factories.PUBLISH_DELAY
WINDOW_END = PUBLISHED + timedelta(days=14)
MIDNIGHT = datetime(2026, 3, 12, 0, 0, tzinfo=SHANGHAI)
# 90 days after this instant's day began is 2026-06-30; anything observed before 2026-04-01 00:00
# (Shanghai) is old for a run at ``LATE``.
LATE = datetime(2026, 6, 30, 9, 0, tzinfo=SHANGHAI)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI)


def observed(boost: Boost) -> list[datetime]:
    rows = ViewSnapshot.objects.filter(line_id=boost.line_id).order_by("observed_at")
    return [timezone_local(s.observed_at) for s in rows]


def timezone_local(instant: datetime) -> datetime:
    return instant.astimezone(SHANGHAI)


def hourly_series(boost: Boost, *, until: datetime) -> list[datetime]:
    """Snapshots every 6 hours from the publish to ``until``, plus one at a Shanghai midnight;
    400 views a step, so the window ends at 22,400 ≥ E = 20,000 (nothing owed, closed at once)."""
    video = OrderLine.objects.get(pk=boost.line_id).platform_video_id
    instants = []
    moment = PUBLISHED
    while moment <= until:
        instants.append(moment)
        moment += STEP
    instants.append(MIDNIGHT)
    instants.sort()
    items = [SnapshotIn(video, moment, 400 * n) for n, moment in enumerate(instants)]
    record_views(items=items, now=until)
    return instants


def settled(*, until: datetime = WINDOW_END + timedelta(days=1)) -> tuple[Boost, list[datetime]]:
    boost = factories.active_boost()
    instants = hourly_series(boost, until=until)
    settlement = services.close_window(boost=boost, now=WINDOW_END + factories.CLOSE_DELAY)
    assert settlement is not None and settlement.status == Settlement.Status.CLOSED
    assert settlement.snapshot.observed_at == WINDOW_END
    return boost, instants


def last_of_each_day(instants: list[datetime]) -> set[datetime]:
    last: dict[object, datetime] = {}
    for moment in instants:
        day = moment.astimezone(SHANGHAI).date()
        last[day] = max(last.get(day, moment), moment)
    return set(last.values())


def test_old_snapshots_keep_the_last_of_each_shanghai_day_and_the_closing_one():
    boost, instants = settled()
    before = len(instants)
    counts = services.compact_snapshots(now=LATE)
    kept = set(observed(boost))
    assert kept == last_of_each_day(instants) | {WINDOW_END}
    # 16 days (03-10 … 03-25), and the closing snapshot of 03-24 11:00 besides that day's last.
    assert len(kept) == 17
    assert counts == {"batches": 1, "removed": before - 17}
    assert at(24, 11) in kept and at(24, 23) in kept and at(24, 17) not in kept
    assert at(25, 11) in kept and at(25, 5) not in kept


def test_a_snapshot_at_midnight_belongs_to_the_day_it_starts():
    boost, _instants = settled()
    services.compact_snapshots(now=LATE)
    kept = set(observed(boost))
    # 03-11's last is 23:00, not the 00:00 of 03-12, which 03-12's own 23:00 replaces.
    assert at(11, 23) in kept
    assert MIDNIGHT not in kept and at(12, 23) in kept


def test_only_snapshots_before_the_cutoff_day_are_thinned():
    boost, instants = settled()
    # 90 days before 2026-06-15 12:00 is 2026-03-17 12:00: the cutoff is that day's start.
    now = datetime(2026, 6, 15, 12, 0, tzinfo=SHANGHAI)
    assert services.compaction_cutoff(now) == at(17, 0)
    services.compact_snapshots(now=now)
    kept = set(observed(boost))
    old = [m for m in instants if m < at(17, 0)]
    assert kept == last_of_each_day(old) | {m for m in instants if m >= at(17, 0)}
    assert at(16, 23) in kept and at(16, 17) not in kept and at(17, 5) in kept


def test_nothing_is_old_a_day_too_early():
    boost, instants = settled()
    # 90 days after 03-10 is 06-08: a run on that day still keeps all of 03-10 (its cutoff is
    # 03-10 00:00); from 06-09 00:00 the cutoff is 03-11 00:00 and 03-10 is thinned.
    services.compact_snapshots(now=datetime(2026, 6, 8, 23, 59, tzinfo=SHANGHAI))
    assert observed(boost) == instants
    services.compact_snapshots(now=datetime(2026, 6, 9, 0, 0, tzinfo=SHANGHAI))
    assert at(10, 11) not in observed(boost) and at(10, 23) in observed(boost)


def test_unsettled_and_open_settlements_are_left_alone():
    active = factories.active_boost()
    active_instants = hourly_series(active, until=WINDOW_END - timedelta(hours=1))
    owed = factories.compensation()  # 19,000 views: ¥550.00 scheduled, not final yet
    owed_rows = ViewSnapshot.objects.filter(line_id=owed.boost.line_id).count()
    assert services.compact_snapshots(now=LATE) == {"batches": 0, "removed": 0}
    assert observed(active) == active_instants
    assert ViewSnapshot.objects.filter(line_id=owed.boost.line_id).count() == owed_rows


def test_a_snapshot_a_settlement_references_is_kept_when_it_is_no_longer_the_closing_one():
    boost = factories.active_boost()
    hourly_series(boost, until=WINDOW_END - timedelta(hours=2))  # the last at 03-24 05:00
    settlement = services.close_window(boost=boost, now=WINDOW_END + factories.CLOSE_DELAY)
    assert settlement is not None and settlement.status == Settlement.Status.CLOSED
    assert timezone_local(settlement.snapshot.observed_at) == at(24, 5)
    # A late observation becomes the closing snapshot (the latest counted one): the settlement
    # still names the 05:00 one it was computed from, which is not the last of its day either.
    video = OrderLine.objects.get(pk=boost.line_id).platform_video_id
    record_views(items=[SnapshotIn(video, at(24, 8), 30_000)], now=LATE)
    services.compact_snapshots(now=LATE)
    kept = set(observed(boost))
    assert {at(24, 5), at(24, 8)} <= kept
    assert at(23, 23) in kept and at(23, 17) not in kept
    settlement.refresh_from_db()
    assert timezone_local(settlement.snapshot.observed_at) == at(24, 5)


def test_the_settlement_still_explains_itself():
    boost, _instants = settled()
    settlement = Settlement.objects.get(boost=boost)
    explanation = settlement.explanation
    services.compact_snapshots(now=LATE)
    settlement = Settlement.objects.select_related("snapshot").get(pk=settlement.pk)
    assert settlement.snapshot.views == settlement.actual_views == 22_800
    assert settlement.explanation == explanation
    closing = counted_snapshots(boost.line_id, WINDOW_END).first()
    assert closing is not None and closing.pk == settlement.snapshot_id


def test_running_twice_removes_nothing_more_and_batches_split_the_lines():
    first, _ = settled()
    second, _ = settled()
    counts = services.compact_snapshots(now=LATE, limit=1)
    assert counts["batches"] == 2 and counts["removed"] > 0
    kept = {b.pk: observed(b) for b in (first, second)}
    assert services.compact_snapshots(now=LATE) == {"batches": 1, "removed": 0}
    assert {b.pk: observed(b) for b in (first, second)} == kept


def test_the_task_runs_the_service_as_of_the_given_instant():
    boost, instants = settled()
    counts = tasks.compact_snapshots(now=LATE.isoformat())
    assert counts["removed"] == len(instants) - len(observed(boost))


def test_migrate_installs_the_daily_compaction_and_installing_again_adds_nothing():
    migration = importlib.import_module("settlements.migrations.0001_squashed_0012")
    task = PeriodicTask.objects.select_related("crontab").get(name=migration.COMPACTION)
    assert task.task == "settlements.tasks.compact_snapshots"
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == (
        "30",
        "4",
        "Asia/Shanghai",
    )
    assert task.expire_seconds == 86400
    task.enabled = False
    task.save()
    migration.install_schedule(apps, None)
    assert PeriodicTask.objects.filter(name=migration.COMPACTION).get().enabled is False
    migration.remove_schedule(apps, None)
    assert not PeriodicTask.objects.filter(name=migration.COMPACTION).exists()


def test_a_line_without_a_counted_snapshot_does_not_stop_its_batch():
    # The closing snapshots are excluded as NOT IN (…): a line whose video was taken down before
    # its first snapshot has none, and a NULL in that list would keep every row of the batch.
    boost, instants = settled()
    dark, dark_instants = settled()
    VideoStatusEvent.objects.create(
        line_id=dark.line_id, status=VideoStatus.TAKEN_DOWN, at=PUBLISHED, received_at=PUBLISHED
    )
    assert not counted_snapshots(dark.line_id, WINDOW_END).exists()
    services.compact_snapshots(now=LATE)
    assert set(observed(boost)) == last_of_each_day(instants) | {WINDOW_END}
    # The settlement's snapshot stays, as referenced; the rest is thinned all the same.
    assert set(observed(dark)) == last_of_each_day(dark_instants) | {WINDOW_END}
