"""The outbox: each client-relevant fact writes one ``ClientEvent`` in its own transaction, and
the fan-out turns each into at most one notification, e-mail and webhook per recipient."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils.dateparse import parse_datetime

from integrations import services, tasks
from integrations.models import EmailDelivery, Notification, WebhookDelivery
from orders.models import ClientEvent, ClientEventType
from orders.services.events import emit
from settlements import services as settlement_services
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db
Type = ClientEventType


def types() -> list[str]:
    return list(ClientEvent.objects.order_by("pk").values_list("type", flat=True))


def test_publish_announces_the_active_boost_with_its_window_end(account):
    boost = factories.publish(factories.boost(account=account), at=T0)
    event = ClientEvent.objects.get()
    assert (event.type, event.client_id, event.boost_id) == (
        Type.BOOST_ACTIVE,
        account.pk,
        boost.pk,
    )
    assert parse_datetime(event.payload["window_end"]) == boost.window_end
    factories.publish(boost, at=T0)  # the same publish again is a no-op
    assert ClientEvent.objects.count() == 1


def test_expiry_cancellation_payout_and_adjustment_each_announce_once(account):
    expired = factories.expire(factories.boost(account=account))
    cancelled = factories.boost(account=account)
    operator = factories.staff_in("Operations", "ops")
    settlement_services.cancel(boost=cancelled, actor=operator, reason="Creator left", now=T0)
    settlement_services.pay_settlement(settlement=expired, now=T0 + timedelta(days=40))
    first, second = factories.staff_in("Finance", "f1"), factories.staff_in("Finance", "f2")
    adjustment = settlement_services.request_adjustment(
        settlement=expired,
        amount=Decimal("-10.00"),
        reason="Wrong snapshot used",
        client_note="Goodwill corrected",
        actor=first,
        now=T0,
    )
    settlement_services.approve_adjustment(adjustment=adjustment, actor=second, now=T0)
    settlement_services.approve_adjustment(adjustment=adjustment, actor=second, now=T0)
    assert types() == [
        Type.BOOST_EXPIRED,
        Type.BOOST_CANCELLED,
        Type.SETTLEMENT_PAID,
        Type.ADJUSTMENT_APPROVED,
    ]
    by_type = {e.type: e for e in ClientEvent.objects.all()}
    assert by_type[Type.BOOST_EXPIRED].payload["amount"] == "1000.00"
    assert by_type[Type.BOOST_CANCELLED].payload["due_date"]
    assert by_type[Type.SETTLEMENT_PAID].settlement_id == expired.pk
    assert by_type[Type.ADJUSTMENT_APPROVED].payload["note"] == "Goodwill corrected"
    assert "Wrong snapshot" not in str(by_type[Type.ADJUSTMENT_APPROVED].payload)
    assert {e.client_id for e in ClientEvent.objects.all()} == {account.pk}


def test_a_rerun_of_the_sweeps_announces_nothing_twice(account):
    boost = factories.publish(factories.boost(account=account), at=T0)
    factories.settle_window(boost, views_at_end=25_000)
    settlement_services.close_window(boost=boost, now=boost.window_end + timedelta(hours=1))
    assert types() == [Type.BOOST_ACTIVE, Type.BOOST_SETTLED]
    assert ClientEvent.objects.get(type=Type.BOOST_SETTLED).payload["kind"] == "none"


def test_a_fact_rolled_back_leaves_no_event():
    boost = factories.boost()
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.publish(boost, at=T0)
        raise RuntimeError("the fact's transaction fails after the event was written")
    assert ClientEvent.objects.count() == 0


def test_the_same_key_is_written_once(account):
    for _ in range(2):
        emit(type=Type.BOOST_ACTIVE, key="boost:1:active", now=T0, client_id=account.pk)
    assert ClientEvent.objects.count() == 1


def test_the_fan_out_follows_preferences_and_subscriptions_and_runs_once(account, member):
    other = factories.member_of(account, "bob")
    services.save_preferences(
        user=other, language="en", email_types=[], portal_types=[Type.BOOST_SETTLED], now=T0
    )
    hook, _secret = services.create_endpoint(
        client=account, url="https://example.com/a", event_types=[Type.BOOST_ACTIVE], now=T0
    )
    services.create_endpoint(
        client=account, url="https://example.com/b", event_types=[Type.SETTLEMENT_PAID], now=T0
    )
    factories.publish(factories.boost(account=account), at=T0)
    counts = tasks.dispatch_events(now=T0.isoformat())
    assert counts == {"batches": 1, "events": 1, "notifications": 1, "emails": 1, "webhooks": 1}
    assert list(Notification.objects.values_list("user", flat=True)) == [member.pk]
    assert EmailDelivery.objects.get().language == "zh-hans"  # the default for a new user
    assert WebhookDelivery.objects.get().endpoint == hook
    assert tasks.dispatch_events(now=T0.isoformat()) == {"batches": 0}
    assert Notification.objects.count() == EmailDelivery.objects.count() == 1


def test_a_broker_that_is_down_never_breaks_the_fact(
    account, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.dispatch_events, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        boost = factories.publish(factories.boost(account=account), at=T0)
    assert boost.status == "active"
    assert ClientEvent.objects.get().dispatched_at is None  # the periodic fan-out will pick it up
