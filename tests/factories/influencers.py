"""Influencers (creators) and the history videos their boost quote is priced from (DESIGN §4).

Five history videos of 20,000 views give a steady influencer: E = 20,000 and r* = 10 %, so the
boost fee is a tenth of the fixed price.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from orders import services
from orders.models import HistoryVideo, Influencer

from .time import T0

STEADY = (20_000,) * 5


class InfluencerFactory(DjangoModelFactory):
    class Meta:
        model = Influencer

    platform_id = factory.Sequence(lambda n: f"dy{n:08d}")
    name = factory.Sequence(lambda n: f"达人{n}")
    fixed_price = Decimal("10000.00")
    boost_enabled = True


class HistoryVideoFactory(DjangoModelFactory):
    class Meta:
        model = HistoryVideo

    influencer = factory.SubFactory(InfluencerFactory)
    platform_video_id = factory.Sequence(lambda n: f"hv{n:08d}")
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    views = 20000


def recent_history(people: Iterable[Influencer], views: Sequence[int], *, now: datetime) -> None:
    """Give each influencer one history video per entry of ``views``, published an hour before
    ``now`` (bulk-inserted: the quote is computed when an order is placed)."""
    HistoryVideo.objects.bulk_create(
        HistoryVideo(
            influencer=person,
            platform_video_id=f"h_{person.pk}_{i}",
            published_at=now - timedelta(hours=1),
            views=v,
        )
        for person in people
        for i, v in enumerate(views)
    )


def influencer(
    *,
    price: str = "10000.00",
    views: Sequence[int] = STEADY,
    now: datetime = T0,
    enabled: bool = True,
    name: str | None = None,
) -> Influencer:
    """An influencer whose history videos were all published one hour before ``now``."""
    person = InfluencerFactory(
        fixed_price=Decimal(price), boost_enabled=enabled, **({"name": name} if name else {})
    )
    recent_history([person], views, now=now)
    return person


def make_history(
    person: Influencer,
    views_list: Sequence[int],
    now: datetime,
    *,
    refresh_quote: bool = True,
) -> list[HistoryVideo]:
    """History videos published 1, 2, 3… days before ``now`` with the given views.

    Three or more videos with views ≥ 1000 make the influencer eligible for a boost (DESIGN §4).
    The influencer's cached quote is refreshed as of ``now`` unless told otherwise.
    """
    videos = [
        HistoryVideoFactory(
            influencer=person, published_at=now - timedelta(days=age + 1), views=views
        )
        for age, views in enumerate(views_list)
    ]
    if refresh_quote:
        services.refresh_quotes(now=now, influencer_ids=[person.pk])
        person.refresh_from_db()
    return videos
