"""Publish events and view snapshots (DESIGN §5): the window starts at publish; data is checked."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def test_each_conflict_names_its_own_stored_count():
    first, second = factories.boost(), factories.boost()
    publish(first, T0, video_id="v1")
    publish(second, T0, video_id="v2")
    at, now = T0 + timedelta(hours=1), T0 + timedelta(days=1)
    services.record_views(items=[snapshot(at, 100, "v1"), snapshot(at, 200, "v2")], now=now)
    with pytest.raises(OrderError) as refused:
        services.record_views(items=[snapshot(at, 101, "v1"), snapshot(at, 201, "v2")], now=now)
    assert refused.value.message_dict == {
        "0": ["Conflicts with the stored count 100 for this instant."],
        "1": ["Conflicts with the stored count 200 for this instant."],
    }
    assert refused.value.conflict


def test_every_refusal_of_a_batch_is_listed_in_rule_order():
    boost = factories.boost()
    publish(boost, T0)
    now = T0 + timedelta(days=1)
    services.record_views(items=[snapshot(T0 + timedelta(hours=2), 50)], now=now)
    batch = [
        snapshot(T0 + timedelta(hours=1), 10),
        SnapshotIn("nope", T0 - timedelta(days=9), -1),  # unknown video wins over the rest
        snapshot(T0 + timedelta(hours=1), 11),  # same instant, other count
        snapshot(T0 - SECOND, 5),  # before the order was placed
        snapshot(T0 + timedelta(hours=2), 51),  # conflicts with the stored 50
        snapshot(T0 + timedelta(hours=2), 50),  # the stored count, but #4 said 51 first
    ]
    with pytest.raises(OrderError) as refused:
        services.record_views(items=batch, now=now)
    messages = {n: m[0] for n, m in refused.value.message_dict.items()}
    assert list(messages) == ["1", "2", "3", "4", "5"]
    assert messages["1"] == "Unknown video nope."
    assert messages["2"] == "Two different counts for the same video and instant in one batch."
    assert messages["3"].startswith("The observation time 2026-03-10T09:59:59+08:00 is before")
    assert messages["4"] == "Conflicts with the stored count 50 for this instant."
    assert messages["5"] == messages["2"]
    assert not refused.value.conflict
    assert ViewSnapshot.objects.count() == 1


def test_a_repeated_item_in_one_batch_is_stored_once_and_counted_once():
    boost = factories.boost()
    publish(boost, T0)
    at, now = T0 + timedelta(hours=1), T0 + timedelta(days=1)
    assert services.record_views(items=[snapshot(at, 10), snapshot(at, 10)], now=now) == 1
    assert list(ViewSnapshot.objects.values_list("views", flat=True)) == [10]


@pytest.mark.parametrize("video", ["a\\b", "tab\there", "line\nfeed\r", "视频\\N", "\\N"])
def test_a_video_id_with_copy_s_special_characters_is_matched_as_it_is(video):
    # PostgreSQL stages a batch in COPY's text format: its escapes must give back the id.
    boost = factories.boost()
    publish(boost, T0, video_id=video)
    at, now = T0 + timedelta(hours=1), T0 + timedelta(days=1)
    assert services.record_views(items=[snapshot(at, 10, video)], now=now) == 1
    stored = ViewSnapshot.objects.values_list("line__platform_video_id", "views")
    assert list(stored) == [(video, 10)]


@pytest.mark.parametrize("size", [1, 40])
def test_a_batch_costs_the_same_statements_whatever_its_size(size, django_assert_num_queries):
    people = [factories.boost() for _ in range(2)]
    for n, boost in enumerate(people):
        publish(boost, T0, video_id=f"v{n}")
    items = [snapshot(T0 + timedelta(minutes=k), k, f"v{k % 2}") for k in range(size)]
    # PostgreSQL: the savepoint, staging table, TRUNCATE, check, insert, release (COPY is not
    # counted); elsewhere: savepoint, two look-ups, insert, release. Both: the one flagging
    # statement over the batch's lines.
    expected = 7 if connection.vendor == "postgresql" else 6
    with django_assert_num_queries(expected):
        services.record_views(items=items, now=T0 + timedelta(days=1))
    assert ViewSnapshot.objects.count() == size


def test_a_publish_batch_costs_the_same_statements_whatever_its_size():
    def statements(size: int) -> int:
        boosts = [factories.boost() for _ in range(size)]
        batch = [
            services.PublishIn(b.line_id, f"size{size}_{b.pk}", T0 + timedelta(hours=n))
            for n, b in enumerate(boosts)
        ]
        with CaptureQueriesContext(connection) as queries:
            assert services.publish_events(events=batch, now=T0 + timedelta(days=1)) == size
        for n, boost in enumerate(boosts):
            boost.refresh_from_db()
            line = OrderLine.objects.get(pk=boost.line_id)
            assert boost.status == Boost.Status.ACTIVE
            assert boost.window_start == line.published_at == T0 + timedelta(hours=n)
            assert boost.window_end == boost.window_start + timedelta(days=14)
            assert line.platform_video_id == f"size{size}_{boost.pk}"
        return len(queries)

    assert statements(2) == statements(6)
