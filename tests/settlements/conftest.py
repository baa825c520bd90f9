"""Settlement fixtures: staff users in the migrated groups and settlements made by the services.

Every row comes from ``tests.factories`` (the real sweeps, never a factory): E = 20,000,
P = ¥10,000.00, F = ¥1,000.00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from orders.models import Boost
from settlements.models import Settlement
from tests import factories


@pytest.fixture
def make_boost(db) -> Callable[..., Boost]:
    """One boost awaiting publish, ordered at the given instant."""

    def make(now: datetime, *, name: str | None = None) -> Boost:
        return factories.boost(now=now, name=name)

    return make


@pytest.fixture
def make_active(db) -> Callable[..., Boost]:
    """A boost published an hour after it was ordered: its 14-day window is running."""

    def make(now: datetime) -> Boost:
        return factories.active_boost(now=now)

    return make


@pytest.fixture
def make_compensation(db) -> Callable[..., Settlement]:
    """A settled window: ``views`` observed an hour before the window end."""

    def make(now: datetime, *, views: int = 19_000, name: str | None = None) -> Settlement:
        return factories.compensation(now=now, views_at_end=views, name=name)

    return make


@pytest.fixture
def make_refund(db) -> Callable[..., Settlement]:
    """An expired boost: never published, its fee refunded."""

    def make(now: datetime, *, name: str | None = None) -> Settlement:
        return factories.refund(now=now, name=name)

    return make


@pytest.fixture
def make_awaiting_views(db) -> Callable[..., Boost]:
    """A boost whose window ended with no view data at all: it waits in ``awaiting_views``."""

    def make(now: datetime) -> Boost:
        return factories.awaiting_views(now=now)

    return make
