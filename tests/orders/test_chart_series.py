"""orders.selectors.chart_series: a boost's counted views, downsampled in SQL for its chart (§5)."""

import math
import random
from datetime import timedelta

import pytest

from orders.models import Boost
from orders.selectors import CHART_POINTS, ViewSeries, chart_series, counted_snapshots
from orders.services import SnapshotIn, record_views
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db

PUBLISHED = T0 + timedelta(hours=2)


def published_boost():
    return factories.publish(factories.boost(), at=PUBLISHED)


def record(boost, observations):
    video = boost.line.platform_video_id
    items = [SnapshotIn(video, at, views) for at, views in observations]
    record_views(items=items, now=max(at for at, _ in observations))


def days(boost, at) -> float:
    return (at - boost.window_start).total_seconds() / 86400


def reference(boost, observations, *, now, points=CHART_POINTS):
    """The rule in plain Python: the latest counted snapshot of each equal bucket of the run."""
    run = max(1.0, (min(now, boost.window_end) - boost.window_start).total_seconds())
    latest = {}
    for at, views in sorted(observations):
        if boost.counts(at):
            share = (at - boost.window_start).total_seconds() * points / run
            latest[max(0, min(points - 1, math.floor(share)))] = (at, views)
    return [latest[k] for k in sorted(latest)]


def test_a_full_window_keeps_at_most_chart_points_and_the_latest_counted_snapshot_exactly():
    boost = published_boost()
    hourly = [(PUBLISHED + timedelta(hours=h, seconds=7), 150 * h) for h in range(1, 336)]
    late = [(boost.window_end + timedelta(hours=h), 99_999 + h) for h in (1, 2)]  # never count
    at_end = [(boost.window_end, 50_400)]  # observed exactly at the window end: it counts
    record(boost, hourly + at_end + late)
    series = chart_series([boost], now=boost.window_end + timedelta(days=1))[boost.line_id]
    assert len(series.points) == CHART_POINTS
    last = counted_snapshots(boost.line_id, boost.window_end).first()
    assert series.latest == (last.observed_at, last.views) == (boost.window_end, 50_400)
    assert series.points[-1] == (pytest.approx(14.0), 50_400)
    assert all(views < 99_999 for _day, views in series.points)
    assert [day for day, _views in series.points] == sorted(day for day, _ in series.points)


def test_each_point_is_the_latest_snapshot_of_its_time_bucket():
    boost = published_boost()
    rng = random.Random(13)
    instants = sorted({PUBLISHED + timedelta(minutes=rng.randrange(1, 20_000)) for _ in range(400)})
    observations = [(at, 10 * n) for n, at in enumerate(instants, start=1)]
    record(boost, observations)
    now = PUBLISHED + timedelta(days=9, minutes=13)
    series = chart_series([boost], now=now)[boost.line_id]
    expected = reference(boost, observations, now=now)
    assert [views for _day, views in series.points] == [views for _at, views in expected]
    assert [day for day, _ in series.points] == pytest.approx(
        [days(boost, at) for at, _ in expected]
    )
    assert series.latest == expected[-1]


def test_a_boost_a_few_hours_old_keeps_every_hourly_point():
    boost = published_boost()
    record(boost, [(PUBLISHED + timedelta(hours=h), 100 * h) for h in range(1, 14)])
    series = chart_series([boost], now=PUBLISHED + timedelta(hours=13, minutes=20))
    assert [views for _day, views in series[boost.line_id].points] == [
        100 * h for h in range(1, 14)
    ]


def test_fewer_points_on_request():
    boost = published_boost()
    record(boost, [(PUBLISHED + timedelta(hours=h, minutes=30), h) for h in range(100)])
    series = chart_series([boost], now=PUBLISHED + timedelta(days=5), points=5)[boost.line_id]
    assert len(series.points) == 5 and series.latest[1] == 99


def test_only_published_boosts_have_a_series_and_one_without_views_an_empty_one():
    waiting = factories.boost()
    silent = published_boost()
    series = chart_series([waiting, silent], now=PUBLISHED + timedelta(days=1))
    assert series == {silent.line_id: ViewSeries(points=[], latest=None)}
    assert chart_series([waiting], now=PUBLISHED) == {}


def counted_reference(boost, *, now, points):
    """The ORM's ``counted_snapshots`` (window end, video status), bucketed in Python."""
    counted = counted_snapshots(boost.line_id, boost.window_end).values_list("observed_at", "views")
    run = max(1.0, (min(now, boost.window_end) - boost.window_start).total_seconds())
    latest = {}
    for at, views in sorted(counted):
        share = (at - boost.window_start).total_seconds() * points / run
        latest[max(0, min(points - 1, math.floor(share)))] = (at, views)
    return [latest[k] for k in sorted(latest)]


@pytest.mark.parametrize("seed", range(4))
def test_many_lines_of_any_shape_at_once_match_the_counted_snapshots_bucketed_in_python(seed):
    """Lines in one call, each with its own history: none, a few, hundreds, before publish and
    past the window end, a video taken down and restored; any ``now`` and number of points."""
    rng = random.Random(seed)
    boosts = []
    for _ in range(5):
        boost = published_boost()
        count = rng.choice([0, 1, 3, 60, 400])
        instants = {
            PUBLISHED + timedelta(seconds=rng.randrange(-7_200, 16 * 86_400)) for _ in range(count)
        }
        if instants:
            factories.views(boost, *[(at, n * 7) for n, at in enumerate(sorted(instants), 1)])
        if rng.random() < 0.5:
            down = PUBLISHED + timedelta(minutes=rng.randrange(1, 14 * 1440))
            back = down + timedelta(minutes=rng.randrange(1, 3 * 1440))
            factories.video_status(boost, (down, "removed_by_creator"), (back, "restored"))
        boosts.append(Boost.objects.get(pk=boost.pk))
    now = PUBLISHED + timedelta(seconds=rng.randrange(3_600, 20 * 86_400))
    points = rng.choice([1, 5, CHART_POINTS])
    found = chart_series(boosts, now=now, points=points)
    assert set(found) == {boost.line_id for boost in boosts}
    for boost in boosts:
        expected = counted_reference(boost, now=now, points=points)
        series = found[boost.line_id]
        assert [views for _day, views in series.points] == [views for _at, views in expected]
        assert [day for day, _ in series.points] == pytest.approx(
            [days(boost, at) for at, _ in expected]
        )
        assert series.latest == (expected[-1] if expected else None)
