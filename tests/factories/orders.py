"""Orders and their boosts, placed, published and observed through the real ``orders.services``.

Orders, boosts and ledger entries are never built by factories, so test data obeys the same rules
as production. A default boost has E = 20,000, r = 10 %, P = ¥10,000.00 and F = ¥1,000.00.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser

from orders import services
from orders.models import Boost, Client, Influencer, Order, OrderLine
from orders.services import LineRequest, SnapshotIn, VideoStatusIn

from .clients import client, top_up
from .influencers import influencer, recent_history
from .time import T0

_keys = itertools.count(1)


def order(
    account: Client,
    people: Sequence[Influencer],
    *,
    boost: bool = True,
    now: datetime = T0,
    key: str | None = None,
    placed_by: AbstractBaseUser | None = None,
) -> Order:
    """Place one order with a line per influencer (``boost`` ticks every line's boost)."""
    placed, _created = services.place_order(
        client=account,
        lines=[LineRequest(p.pk, boost=boost) for p in people],
        idempotency_key=key or f"order-{next(_keys)}",
        now=now,
        placed_by=placed_by,
    )
    return placed


def make_order(
    account: Client,
    people: Sequence[Influencer],
    *,
    boost: bool = True,
    now: datetime,
    placed_by: AbstractBaseUser | None = None,
) -> Order:
    """Top the client up by exactly the order's total, then place it.

    ``boost`` ticks the boost of every line, so every influencer must then be eligible.
    """
    lines = [LineRequest(influencer_id=p.pk, boost=boost) for p in people]
    top_up(account, services.preview_order(client=account, lines=lines, now=now).total, now=now)
    return order(
        account, people, boost=boost, now=now, key=f"test-order:{uuid.uuid4()}", placed_by=placed_by
    )


def boost(
    *,
    now: datetime = T0,
    price: str = "10000.00",
    account: Client | None = None,
    name: str | None = None,
) -> Boost:
    """One awaiting-publish boost ordered at ``now``: E = 20,000, r = 10 %, fee = price / 10."""
    person = influencer(price=price, now=now, name=name)
    placed = order(account or client(now=now), [person], now=now)
    return Boost.objects.select_related("line__order").get(line__order=placed)


def publish(b: Boost, *, at: datetime, video_id: str | None = None) -> Boost:
    """Publish the boost's video (``v_<boost pk>`` unless named) at ``at``; its window opens."""
    line = OrderLine.objects.get(pk=b.line_id)
    services.publish(line=line, video_id=video_id or f"v_{b.pk}", published_at=at, now=at)
    return Boost.objects.select_related("line__order").get(pk=b.pk)


def views(b: Boost, *observations: tuple[datetime, int]) -> None:
    """Record view counts of the boost's published video, as the ingestion API would."""
    video = OrderLine.objects.get(pk=b.line_id).platform_video_id
    latest = max(at for at, _ in observations)
    services.record_views(items=[SnapshotIn(video, at, n) for at, n in observations], now=latest)


def video_status(b: Boost, *changes: tuple[datetime, str]) -> None:
    """Record status changes ``(at, status)`` of the boost's published video, as the pipeline's
    ``POST /api/videos`` would."""
    video = OrderLine.objects.get(pk=b.line_id).platform_video_id
    latest = max(at for at, _ in changes)
    services.record_video_statuses(
        items=[VideoStatusIn(video, status, at) for at, status in changes], now=latest
    )


def due_boosts(n: int, *, published: datetime, per_order: int = 50) -> None:
    """``n`` boosts published at ``published``, each 5 % short of E = 20,000 at window end: every
    one is owed ¥550.00 (P = ¥10,000.00, F = ¥1,000.00). Bulk-built people, real orders."""
    batch = next(_keys)
    people = Influencer.objects.bulk_create(
        Influencer(platform_id=f"dy_{batch}_{i}", name=f"达人{i}", fixed_price=Decimal("10000.00"))
        for i in range(n)
    )
    recent_history(people, (20_000,) * 3, now=T0)
    for start in range(0, n, per_order):
        account = client(balance=str(11_000 * per_order))
        order(account, people[start : start + per_order], now=T0, key=f"due-{batch}-{start}")
    lines = list(OrderLine.objects.filter(influencer__in=people))
    for line in lines:
        services.publish(line=line, video_id=f"v{line.pk}", published_at=published, now=published)
    end = published + timedelta(days=14)
    services.record_views(items=[SnapshotIn(f"v{line.pk}", end, 19_000) for line in lines], now=end)
