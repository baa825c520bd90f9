"""Settlements made by the real sweeps (window close, expiry), never by a factory (DESIGN §6–§7).

With the default boost (E = 20,000, P = ¥10,000.00, F = ¥1,000.00), 19,000 views counted at the
window end owe (20,000 − 19,000)/1000 × ¥550.00 = ¥550.00.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser

from orders.models import Boost, Client
from settlements import services
from settlements.models import Adjustment, Settlement

from .orders import boost, publish, views
from .time import T0

PUBLISH_DELAY = timedelta(hours=1)
CLOSE_DELAY = timedelta(minutes=1)


def active_boost(
    *, now: datetime = T0, name: str | None = None, account: Client | None = None
) -> Boost:
    """A boost published an hour after it was ordered at ``now``: its 14-day window is running."""
    return publish(boost(now=now, name=name, account=account), at=now + PUBLISH_DELAY)


def settle_window(published: Boost, *, views_at_end: int | None) -> Settlement | None:
    """Close a published boost's window a minute after it ends, with ``views_at_end`` observed an
    hour before the end (``None``: no view data at all, so the boost waits for views)."""
    if views_at_end is not None:
        views(published, (published.window_end - timedelta(hours=1), views_at_end))
    return services.close_window(boost=published, now=published.window_end + CLOSE_DELAY)


def compensation(
    *, now: datetime = T0, views_at_end: int = 19_000, name: str | None = None
) -> Settlement:
    """The settlement of a window that counted ``views_at_end`` (a compensation below E)."""
    published = active_boost(now=now, name=name)
    settle_window(published, views_at_end=views_at_end)
    return Settlement.objects.get(boost=published)


def expire(unpublished: Boost) -> Settlement:
    """Expire a boost that was never published, a minute after it stopped being valid."""
    services.expire(boost=unpublished, now=unpublished.valid_until + CLOSE_DELAY)
    return Settlement.objects.get(boost=unpublished)


def refund(*, now: datetime = T0, name: str | None = None) -> Settlement:
    """The refund of a boost ordered at ``now`` and never published."""
    return expire(boost(now=now, name=name))


def awaiting_views(*, now: datetime = T0) -> Boost:
    """A boost whose window ended with no view data at all: it waits in ``awaiting_views``."""
    published = active_boost(now=now)
    settle_window(published, views_at_end=None)
    return Boost.objects.get(pk=published.pk)


def adjustment(
    settlement: Settlement,
    amount: str,
    *,
    actor: AbstractBaseUser,
    now: datetime = T0,
    reason: str = "x",
    client_note: str = "Corrected",
) -> Adjustment:
    """An adjustment of ``settlement`` requested by ``actor`` through the service (not decided)."""
    return services.request_adjustment(
        settlement=settlement,
        amount=Decimal(amount),
        reason=reason,
        client_note=client_note,
        actor=actor,
        now=now,
    )
