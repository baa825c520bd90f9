"""Clients (advertisers) and their memberships; a funded client is topped up through the ledger."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from orders import services
from orders.models import Client, ClientMembership

from .time import T0
from .users import UserFactory


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


def top_up(account: Client, amount: Decimal, *, now: datetime, reason: str = "test top-up") -> None:
    """Credit ``amount`` to the client's account through ``services.top_up``."""
    services.top_up(
        client=account,
        amount=amount,
        reason=reason,
        idempotency_key=f"test-top-up:{uuid.uuid4()}",
        now=now,
    )


def client(*, balance: str = "1000000.00", now: datetime = T0) -> Client:
    """A client whose account holds ``balance`` (no ledger entry at all when it is zero)."""
    account = ClientFactory()
    if Decimal(balance):
        top_up(account, Decimal(balance), now=now)
    return account
