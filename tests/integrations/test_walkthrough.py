"""One boost from order to payout, told to its client once per event on every channel.

The facts go through the real services and sweeps; Celery runs in-process (eager) and the
commit hooks run as they would after each transaction, so the path is the production one: fact
→ ``ClientEvent`` in the same transaction → fan-out after commit → e-mail, portal notification,
and a signed POST to a real HTTP receiver on 127.0.0.1 that checks the signature.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from integrations import services, signing, tasks
from integrations.models import (
    DeliveryStatus,
    EmailDelivery,
    Notification,
    WebhookAttempt,
    WebhookDelivery,
)
from orders.models import Boost, ClientEvent, ClientEventType
from settlements import tasks as settlement_tasks
from settlements.models import Settlement
from tests import factories
from tests.factories import T0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
PUBLISHED = T0 + timedelta(hours=1)


def verified(receiver, secret: str) -> list[dict]:
    """Every request the receiver got, each checked as the README tells receivers to."""
    bodies = []
    for request in receiver.requests:
        timestamp = request.header(signing.TIMESTAMP_HEADER)
        assert signing.verify(
            secret,
            timestamp=timestamp,
            signature_header=request.header(signing.SIGNATURE_HEADER),
            body=request.body,
            now=int(timestamp),
        )
        assert not signing.verify(
            "whsec_wrong",
            timestamp=timestamp,
            signature_header=request.header(signing.SIGNATURE_HEADER),
            body=request.body,
            now=int(timestamp),
        )
        body = json.loads(request.body)
        assert request.header(signing.EVENT_HEADER) == body["type"]
        bodies.append(body)
    return bodies


def test_one_boost_from_order_to_payout_is_told_once_per_event_on_every_channel(
    clock, account, member, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = services.create_endpoint(
        client=account, url=receiver.url, event_types=ClientEventType.values, now=T0
    )
    run = django_capture_on_commit_callbacks  # each fact's commit hooks run, as after a commit

    with run(execute=True):
        boost = factories.boost(account=account)
    clock.move_to(PUBLISHED)
    with run(execute=True):
        boost = factories.publish(boost, at=PUBLISHED)
    # Two days of views levelling off near 5,000: the day-14 projection is far below the
    # whole-fee threshold (18,181 of 20,000), so the boost is flagged at risk.
    factories.views(
        boost,
        *[
            (PUBLISHED + timedelta(hours=h), round(5_000 * -math.expm1(-h / 12)))
            for h in range(1, 49)
        ],
    )
    clock.move_to(PUBLISHED + timedelta(days=2, hours=1))
    with run(execute=True):
        tasks.flag_boosts_at_risk()
    factories.views(boost, (boost.window_end - timedelta(hours=1), 19_000))
    clock.move_to(boost.window_end + timedelta(minutes=5))
    with run(execute=True):
        settlement_tasks.close_windows()
    settlement = Settlement.objects.get(boost=boost)
    clock.move_to(boost.window_end + timedelta(hours=1))
    with run(execute=True):
        settlement_tasks.pay_due()

    events = list(ClientEvent.objects.order_by("pk"))
    expected_types = [
        ClientEventType.BOOST_ACTIVE,
        ClientEventType.BOOST_AT_RISK,
        ClientEventType.BOOST_SETTLED,
        ClientEventType.SETTLEMENT_PAID,
    ]
    assert [e.type for e in events] == expected_types
    assert events[1].payload["reason"] == "whole_fee"
    assert events[2].payload | {"amount": "550.00", "kind": "compensation"} == events[2].payload
    assert events[2].settlement_id == settlement.pk
    assert all(e.dispatched_at is not None for e in events)

    # Exactly one e-mail, one notification and one signed webhook per event.
    assert len(mail.outbox) == 4
    assert [m.to for m in mail.outbox] == [[member.email]] * 4
    assert len({m.subject for m in mail.outbox}) == 4
    assert "compensation" in mail.outbox[2].body.lower() or "赔付" in mail.outbox[2].body
    assert sorted(Notification.objects.values_list("event_id", flat=True)) == [e.pk for e in events]
    assert Notification.objects.filter(user=member).count() == 4
    assert EmailDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 4
    bodies = verified(receiver, secret)
    assert [b["id"] for b in bodies] == [e.pk for e in events]
    assert [b["type"] for b in bodies] == expected_types
    assert bodies[0]["client"] == account.code
    assert bodies[0]["data"]["order"] == boost.line.order.code
    assert bodies[3]["data"]["amount"] == "550.00"
    assert WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count() == 4

    # Reruns of every sweep announce and send nothing more.
    with run(execute=True):
        tasks.dispatch_events()
        tasks.retry_deliveries()
        tasks.flag_boosts_at_risk()
        settlement_tasks.pay_due()
    assert ClientEvent.objects.count() == 4
    assert len(mail.outbox) == 4 and len(receiver.requests) == 4
    assert Boost.objects.get(pk=boost.pk).status == Boost.Status.COMPENSATED


def test_a_receiver_answering_500_three_times_gets_the_event_exactly_once_more(
    clock, account, member, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = services.create_endpoint(
        client=account, url=receiver.url, event_types=[ClientEventType.BOOST_ACTIVE], now=T0
    )
    boost = factories.boost(account=account)
    receiver.statuses = [500, 500, 500, 200]
    clock.move_to(PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        factories.publish(boost, at=PUBLISHED)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)

    # Retries follow the backoff: nothing is sent before the next attempt is due.
    waits = []
    for _ in range(3):
        delivery.refresh_from_db()
        due = delivery.next_attempt_at
        waits.append(due)
        clock.move_to(due - timedelta(seconds=1))
        tasks.retry_deliveries()
        assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == delivery.attempts
        clock.move_to(due)
        tasks.retry_deliveries()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 4)
    gaps = [(b - a).total_seconds() for a, b in zip(waits, waits[1:], strict=False)]
    assert gaps[1] == 2 * gaps[0]  # exponential backoff: 1, 2, 4 minutes between attempts

    # The receiver got the event four times: three refused, then exactly once more, accepted.
    bodies = verified(receiver, secret)
    assert len(bodies) == 4 and len({b["id"] for b in bodies}) == 1
    log = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code, a.succeeded) for a in log] == [
        (1, 500, False),
        (2, 500, False),
        (3, 500, False),
        (4, 200, True),
    ]
    assert all(a.latency_ms >= 0 for a in log)
    assert log[0].response_excerpt == "receiver is down" and '"ok"' in log[3].response_excerpt

    clock.move_to(delivery.delivered_at + timedelta(days=1))
    tasks.retry_deliveries()
    assert len(receiver.requests) == 4


def test_a_receiver_that_never_answers_2xx_is_given_up_after_the_last_attempt(
    clock, account, receiver, settings
):
    settings.INTEGRATIONS_MAX_ATTEMPTS = 3
    endpoint, _secret = services.create_endpoint(
        client=account, url=receiver.url, event_types=[ClientEventType.BOOST_ACTIVE], now=T0
    )
    receiver.statuses = [503] * 10
    factories.publish(factories.boost(account=account), at=T0)
    tasks.dispatch_events()
    for _ in range(5):
        tasks.retry_deliveries()
        clock.shift(timedelta(hours=1))
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert len(receiver.requests) == 3

    services.resend(delivery=delivery, now=timezone.now())
    receiver.statuses = []
    tasks.retry_deliveries()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 4)
