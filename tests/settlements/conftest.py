"""Settlement fixtures: staff users in the migrated groups and settlements made by the services.

Every settlement here comes from the real sweeps (window close, expiry), never from a factory:
an influencer with five history videos of 20,000 views quotes E = 20,000 and r = 10 %, so a
¥10,000.00 fixed price carries a ¥1,000.00 boost fee.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group

from orders import services as order_services
from orders.models import Boost, Order
from orders.services import SnapshotIn
from settlements import services
from settlements.models import Settlement
from tests.factories import (
    ClientFactory,
    InfluencerFactory,
    StaffUserFactory,
    make_history,
    make_order,
)

PUBLISH_DELAY = timedelta(hours=1)


def staff_in(group: str, username: str):
    user = StaffUserFactory(username=username)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def operations_user(db):
    return staff_in("Operations", "ops")


@pytest.fixture
def finance_user(db):
    return staff_in("Finance", "finance1")


@pytest.fixture
def second_finance_user(db):
    return staff_in("Finance", "finance2")


def place_boost(now: datetime, *, name: str | None = None) -> Boost:
    """One boost awaiting publish, ordered at ``now``: E = 20,000, P = ¥10,000.00, F = ¥1,000.00."""
    influencer = InfluencerFactory(**({"name": name} if name else {}))
    make_history(influencer, [20_000] * 5, now)
    order: Order = make_order(ClientFactory(), [influencer], now=now)
    return Boost.objects.select_related("line__order").get(line__order=order)


def publish(boost: Boost, at: datetime) -> Boost:
    order_services.publish(line=boost.line, video_id=f"video-{boost.pk}", published_at=at, now=at)
    return Boost.objects.select_related("line__order").get(pk=boost.pk)


@pytest.fixture
def make_boost(db) -> Callable[..., Boost]:
    return place_boost


@pytest.fixture
def make_active(db) -> Callable[..., Boost]:
    """A boost published an hour after it was ordered: its 14-day window is running."""

    def make(now: datetime) -> Boost:
        return publish(place_boost(now), now + PUBLISH_DELAY)

    return make


@pytest.fixture
def make_compensation(db) -> Callable[..., Settlement]:
    """A settled window: ``views`` observed an hour before the window end."""

    def make(now: datetime, *, views: int = 19_000, name: str | None = None) -> Settlement:
        boost = publish(place_boost(now, name=name), now + PUBLISH_DELAY)
        observed = boost.window_end - timedelta(hours=1)
        order_services.record_views(
            items=[SnapshotIn(boost.line.platform_video_id, observed, views)], now=observed
        )
        services.close_windows_batch(now=boost.window_end + timedelta(minutes=1))
        return Settlement.objects.get(boost=boost)

    return make


@pytest.fixture
def make_refund(db) -> Callable[..., Settlement]:
    """An expired boost: never published, its fee refunded."""

    def make(now: datetime, *, name: str | None = None) -> Settlement:
        boost = place_boost(now, name=name)
        services.expire_batch(now=boost.valid_until + timedelta(seconds=1))
        return Settlement.objects.get(boost=boost)

    return make


@pytest.fixture
def make_awaiting_views(db) -> Callable[..., Boost]:
    """A boost whose window ended with no view data at all: it waits in ``awaiting_views``."""

    def make(now: datetime) -> Boost:
        boost = publish(place_boost(now), now + PUBLISH_DELAY)
        services.close_windows_batch(now=boost.window_end + timedelta(minutes=1))
        return Boost.objects.get(pk=boost.pk)

    return make
