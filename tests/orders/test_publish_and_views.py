"""Publish events and view snapshots (DESIGN §5): the window starts at publish; data is checked."""

from datetime import timedelta

import pytest

from orders import services
from orders.models import Boost, BoostEvent, OrderLine, ViewSnapshot
from orders.services import OrderError, SnapshotIn
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def publish(boost, at, now=None, video_id="v1"):
    line = OrderLine.objects.get(pk=boost.line_id)
    return services.publish(line=line, video_id=video_id, published_at=at, now=now or at)


def test_publish_starts_a_14_day_window():
    boost = factories.boost()
    publish(boost, T0 + timedelta(days=3))
    boost.refresh_from_db()
    assert boost.status == Boost.Status.ACTIVE
    assert boost.window_start == T0 + timedelta(days=3)
    assert boost.window_end == T0 + timedelta(days=17)
    event = BoostEvent.objects.filter(boost=boost).last()
    assert (event.from_status, event.to_status) == ("awaiting_publish", "active")


def test_publish_exactly_at_placed_at_is_accepted():
    boost = factories.boost()
    publish(boost, T0)
    assert Boost.objects.get(pk=boost.pk).status == Boost.Status.ACTIVE


def test_publish_one_second_before_valid_until_is_accepted():
    boost = factories.boost()
    publish(boost, boost.valid_until - SECOND)
    assert Boost.objects.get(pk=boost.pk).status == Boost.Status.ACTIVE


@pytest.mark.parametrize(
    ("offset", "match"),
    [("valid_until", "too late"), ("before_order", "before the order")],
)
def test_publish_outside_validity_is_refused_and_writes_nothing(offset, match):
    boost = factories.boost()
    at = boost.valid_until if offset == "valid_until" else T0 - SECOND
    before = factories.row_counts()
    with pytest.raises(OrderError, match=match):
        publish(boost, at, now=boost.valid_until)
    assert factories.row_counts() == before
    assert OrderLine.objects.get(pk=boost.line_id).published_at is None


def test_publish_in_the_future_is_refused():
    boost = factories.boost()
    with pytest.raises(OrderError, match="future"):
        publish(boost, T0 + timedelta(hours=1), now=T0)


def test_same_publish_twice_is_a_no_op_and_a_different_one_is_refused():
    boost = factories.boost()
    publish(boost, T0 + timedelta(days=1))
    publish(boost, T0 + timedelta(days=1))
    assert BoostEvent.objects.filter(boost=boost, to_status="active").count() == 1
    with pytest.raises(OrderError, match="already published"):
        publish(boost, T0 + timedelta(days=2))


def test_video_id_cannot_belong_to_two_lines():
    first, second = factories.boost(), factories.boost()
    publish(first, T0, video_id="same")
    with pytest.raises(OrderError, match="another order line"):
        publish(second, T0, video_id="same")


def snapshot(at, views, video="v1"):
    return SnapshotIn(video, at, views)


def test_snapshots_are_stored_once_and_conflicts_refused():
    boost = factories.boost()
    publish(boost, T0)
    batch = [snapshot(T0 + timedelta(hours=6), 100), snapshot(T0 + timedelta(hours=12), 250)]
    now = T0 + timedelta(days=1)
    assert services.record_views(items=batch, now=now) == 2
    assert services.record_views(items=batch, now=now) == 0
    assert ViewSnapshot.objects.count() == 2
    with pytest.raises(OrderError) as refused:
        services.record_views(items=[snapshot(T0 + timedelta(hours=6), 101)], now=now)
    assert "Conflicts with the stored count 100" in str(refused.value)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (SnapshotIn("nope", T0, 1), "Unknown video"),
        (SnapshotIn("v1", T0, -1), "whole number"),
        (SnapshotIn("v1", T0, 1.5), "whole number"),
        (SnapshotIn("v1", T0 + timedelta(days=2), 1), "future"),
    ],
)
def test_a_bad_item_refuses_the_whole_batch_with_its_error(item, message):
    boost = factories.boost()
    publish(boost, T0)
    good = snapshot(T0 + timedelta(hours=1), 10)
    with pytest.raises(OrderError) as refused:
        services.record_views(items=[good, item], now=T0 + timedelta(days=1))
    assert list(refused.value.message_dict) == ["1"]
    assert message in refused.value.message_dict["1"][0]
    assert ViewSnapshot.objects.count() == 0


def test_clock_skew_of_five_minutes_is_tolerated():
    boost = factories.boost()
    publish(boost, T0)
    now = T0 + timedelta(hours=1)
    assert services.record_views(items=[snapshot(now + timedelta(minutes=5), 10)], now=now) == 1
