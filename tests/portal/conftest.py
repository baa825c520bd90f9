"""Portal fixtures: two clients, each with a logged-in user, and boosts in every state.

Every row comes from ``tests.factories`` and ``settlements.services``: tests may import
``settlements``, the portal code may not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from orders.models import Boost
from settlements import services as settlement_services
from tests import factories
from tests.factories import T0

PUBLISHED = T0 + timedelta(hours=2)  # E = 20,000, P = ¥10,000.00, F = ¥1,000.00 (factories)


@pytest.fixture
def other_account(db):
    return factories.client(balance="100000.00")


@pytest.fixture
def other_order(other_account):
    return factories.order(other_account, [factories.influencer()])


def at(instant: datetime):
    """Stop the clock at ``instant`` for the page (its "time left" and projections read it)."""
    return time_machine.travel(instant, tick=False)


def hourly_views(boost: Boost, hours: int, per_hour: int, *, start: datetime = PUBLISHED) -> None:
    """``hours`` hourly snapshots after publish, growing by ``per_hour`` views an hour."""
    factories.views(
        boost, *[(start + timedelta(hours=h), per_hour * h) for h in range(1, hours + 1)]
    )


def active_boost(account, *, hours: int = 72, per_hour: int = 150) -> Boost:
    boost = factories.publish(factories.boost(account=account), at=PUBLISHED)
    if hours:
        hourly_views(boost, hours, per_hour)
    return boost


def closed_boost(account, views: int | None) -> Boost:
    """A boost whose window was closed by the sweep with ``views`` counted an hour before its end
    (``None``: no data at all, so it waits for views)."""
    boost = factories.publish(factories.boost(account=account), at=PUBLISHED)
    factories.settle_window(boost, views_at_end=views)
    return Boost.objects.get(pk=boost.pk)


def expired_boost(account) -> Boost:
    boost = factories.boost(account=account)
    factories.expire(boost)
    return Boost.objects.get(pk=boost.pk)


def cancelled_boost(account, staff) -> Boost:
    boost = factories.boost(account=account)
    settlement_services.cancel(
        boost=boost, actor=staff, reason="Influencer left", now=T0 + timedelta(days=1)
    )
    return Boost.objects.get(pk=boost.pk)
