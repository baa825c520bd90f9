"""Test data built through the real services, so every row obeys the rules it would in production.

History of 5 videos × 20,000 views published at the quote instant gives a steady influencer:
E = 20,000 and r* = 10 %, so fee = price × 0.10.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from orders import services
from orders.models import Boost, Client, HistoryVideo, Influencer, Order, OrderLine
from orders.services import LineRequest, SnapshotIn

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
_ids = itertools.count(1)


def influencer(
    *,
    price: str = "10000.00",
    views: Sequence[int] = (20_000,) * 5,
    now: datetime = T0,
    enabled: bool = True,
) -> Influencer:
    """An influencer whose history videos were all published one hour before ``now``."""
    n = next(_ids)
    person = Influencer.objects.create(
        platform_id=f"dy_{n}", name=f"达人{n}", fixed_price=Decimal(price), boost_enabled=enabled
    )
    HistoryVideo.objects.bulk_create(
        HistoryVideo(
            influencer=person,
            platform_video_id=f"h_{n}_{i}",
            published_at=now - timedelta(hours=1),
            views=v,
        )
        for i, v in enumerate(views)
    )
    return person


def client(*, balance: str = "1000000.00", now: datetime = T0) -> Client:
    n = next(_ids)
    account = Client.objects.create(code=f"client-{n}", name=f"客户{n}")
    if Decimal(balance):
        services.top_up(
            client=account,
            amount=Decimal(balance),
            reason="test top-up",
            idempotency_key=f"test-top-up-{n}",
            now=now,
        )
    return account


def order(
    account: Client,
    people: Sequence[Influencer],
    *,
    boost: bool = True,
    now: datetime = T0,
    key: str | None = None,
) -> Order:
    return services.place_order(
        client=account,
        lines=[LineRequest(p.pk, boost=boost) for p in people],
        idempotency_key=key or f"order-{next(_ids)}",
        now=now,
    )


def boost(*, now: datetime = T0, price: str = "10000.00", account: Client | None = None) -> Boost:
    """One awaiting-publish boost with E = 20,000, r = 10 %, fee = price / 10."""
    placed = order(account or client(now=now), [influencer(price=price, now=now)], now=now)
    return Boost.objects.get(line__order=placed)


def publish(b: Boost, *, at: datetime, video_id: str | None = None) -> Boost:
    line = OrderLine.objects.get(pk=b.line_id)
    services.publish(line=line, video_id=video_id or f"v_{b.pk}", published_at=at, now=at)
    return Boost.objects.get(pk=b.pk)


def views(b: Boost, *observations: tuple[datetime, int]) -> None:
    video = OrderLine.objects.get(pk=b.line_id).platform_video_id
    latest = max(at for at, _ in observations)
    services.record_views(items=[SnapshotIn(video, at, n) for at, n in observations], now=latest)


def due_boosts(n: int, *, published: datetime, per_order: int = 50) -> None:
    """n boosts published at ``published``, each 5 % short of E = 20,000 at window end: every
    one is owed ¥550.00 (P = ¥10,000.00, F = ¥1,000.00). Bulk-built people, real orders."""
    batch = next(_ids)
    people = Influencer.objects.bulk_create(
        Influencer(platform_id=f"dy_{batch}_{i}", name=f"达人{i}", fixed_price=Decimal("10000.00"))
        for i in range(n)
    )
    HistoryVideo.objects.bulk_create(
        HistoryVideo(
            influencer=p,
            platform_video_id=f"h_{p.pk}_{k}",
            published_at=T0 - timedelta(hours=1),
            views=20_000,
        )
        for p in people
        for k in range(3)
    )
    for start in range(0, n, per_order):
        account = client(balance=str(11_000 * per_order))
        lines = [LineRequest(p.pk, boost=True) for p in people[start : start + per_order]]
        services.place_order(
            client=account, lines=lines, idempotency_key=f"due-{batch}-{start}", now=T0
        )
    lines = list(OrderLine.objects.filter(influencer__in=people))
    for line in lines:
        services.publish(line=line, video_id=f"v{line.pk}", published_at=published, now=published)
    end = published + timedelta(days=14)
    services.record_views(items=[SnapshotIn(f"v{line.pk}", end, 19_000) for line in lines], now=end)


def row_counts() -> dict[str, int]:
    """Rows in every table of the two apps, to prove a refused action wrote nothing."""
    from django.apps import apps

    return {
        model._meta.label: model.objects.count()
        for app in ("orders", "settlements")
        for model in apps.get_app_config(app).get_models()
    }
