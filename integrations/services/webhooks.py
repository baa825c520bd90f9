"""Webhook deliveries: sign and POST one delivery, log the attempt; resend and test events.

The body was frozen when the delivery was created; each attempt signs it anew with the current
timestamp (``signing``), so a receiver can refuse stale requests. Every attempt, answered or not,
is a ``WebhookAttempt`` row: the delivery log the client sees.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .. import signing, transport
from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from . import attempts
from .errors import IntegrationError

TEST_EVENT = "webhook.test"
USER_AGENT = "StarBoost-Webhooks/1.0"


def attempt_webhook(*, delivery_id: int, now: datetime) -> WebhookAttempt | None:
    """Make the next attempt of a due delivery; None when it was not due (or another took it)."""
    if not attempts.claim(WebhookDelivery, delivery_id, now=now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    gone = endpoint.removed_at is not None or not endpoint.is_active
    if gone:
        reply = transport.Reply(None, 0, error="The endpoint was removed or deactivated.")
    else:
        body = delivery.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            signing.EVENT_HEADER: delivery.type,
            signing.DELIVERY_HEADER: str(delivery.pk),
            **signing.headers(endpoint.secret, int(now.timestamp()), body),
        }
        reply = transport.post(
            endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    error = "" if reply.succeeded else (reply.error or f"HTTP {reply.status}")
    with transaction.atomic():
        recorded = attempts.record(WebhookDelivery, delivery_id, now=now, error=error, final=gone)
        return WebhookAttempt.objects.create(
            delivery=recorded,
            number=recorded.attempts,
            started_at=now,
            status_code=reply.status,
            succeeded=reply.succeeded,
            latency_ms=reply.latency_ms,
            response_excerpt=reply.excerpt,
            error=reply.error,
        )


def resend(*, delivery: WebhookDelivery, now: datetime) -> WebhookDelivery:
    """Send a delivery again now, one more attempt (the client asked; its body is unchanged)."""
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.endpoint.removed_at is not None:
            raise IntegrationError(_("The endpoint was removed; nothing can be sent to it."))
        locked.save(update_fields=attempts.retry_now(locked, now=now))
        return locked


def send_test(*, endpoint: WebhookEndpoint, now: datetime) -> WebhookDelivery:
    """Queue a test event for ``endpoint``: one attempt, logged like any delivery."""
    if endpoint.removed_at is not None:
        raise IntegrationError(_("The endpoint was removed; nothing can be sent to it."))
    body = json.dumps(
        {
            "id": None,
            "type": TEST_EVENT,
            "occurred_at": now.isoformat(),
            "client": endpoint.client.code,
            "data": {"endpoint": endpoint.pk},
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=None,
        type=TEST_EVENT,
        body=body,
        give_up_after=1,
        next_attempt_at=now,
        created_at=now,
    )
