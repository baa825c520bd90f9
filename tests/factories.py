"""Factories for the orders app, and helpers that build orders through the real services.

Orders, boosts and ledger entries are never built by factories: ``make_order`` tops the client up
and places the order with ``orders.services``, so test data obeys the same rules as production.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from orders import services
from orders.models import Client, ClientMembership, HistoryVideo, Influencer, Order
from orders.services import LineRequest


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("password")


class StaffUserFactory(UserFactory):
    is_staff = True


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    code = factory.Sequence(lambda n: f"client-{n}")
    name = factory.Sequence(lambda n: f"Client {n}")
    contact_email = factory.LazyAttribute(lambda client: f"finance@{client.code}.example.com")


class ClientMembershipFactory(DjangoModelFactory):
    class Meta:
        model = ClientMembership

    user = factory.SubFactory(UserFactory)
    client = factory.SubFactory(ClientFactory)


class InfluencerFactory(DjangoModelFactory):
    class Meta:
        model = Influencer

    platform_id = factory.Sequence(lambda n: f"dy{n:08d}")
    name = factory.Sequence(lambda n: f"Influencer {n}")
    fixed_price = Decimal("10000.00")
    boost_enabled = True


class HistoryVideoFactory(DjangoModelFactory):
    class Meta:
        model = HistoryVideo

    influencer = factory.SubFactory(InfluencerFactory)
    platform_video_id = factory.Sequence(lambda n: f"hv{n:08d}")
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    views = 20000


def make_history(
    influencer: Influencer,
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
            influencer=influencer, published_at=now - timedelta(days=age + 1), views=views
        )
        for age, views in enumerate(views_list)
    ]
    if refresh_quote:
        services.refresh_quotes(now=now, influencer_ids=[influencer.pk])
        influencer.refresh_from_db()
    return videos


def make_order(
    client: Client,
    influencers: Sequence[Influencer],
    *,
    boost: bool = True,
    now: datetime,
    placed_by=None,
) -> Order:
    """Top the client up by exactly the order's total, then place it with ``services.place_order``.

    ``boost`` ticks the boost of every line, so every influencer must then be eligible (see
    ``make_history``).
    """
    lines = [LineRequest(influencer_id=influencer.pk, boost=boost) for influencer in influencers]
    total = services.preview_order(client=client, lines=lines, now=now).total
    services.top_up(
        client=client,
        amount=total,
        reason="Test top-up",
        idempotency_key=f"test-top-up:{uuid.uuid4()}",
        now=now,
    )
    return services.place_order(
        client=client,
        lines=lines,
        idempotency_key=f"test-order:{uuid.uuid4()}",
        now=now,
        placed_by=placed_by,
    )
