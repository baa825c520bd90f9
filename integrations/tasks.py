"""Celery tasks of the integrations app: fan out the outbox, send, retry, flag boosts at risk.

Thin: parse ``now``, call a service, queue what follows. Tasks take ids, never rows. Every
task is safe to run twice or concurrently: fan-out batches lock their events, deliveries are
claimed before each attempt, and unique constraints back every insert.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from celery import shared_task
from celery.app.task import Task

from kernel.instants import parse_now

from . import services
from .models import EmailDelivery, WebhookDelivery

logger = logging.getLogger(__name__)
RETRY_SWEEP_LIMIT = 500


def queue(task: Task, *args: Any, **options: Any) -> None:
    """Queue ``task``; with the broker unreachable, log it: the periodic sweeps catch up."""
    try:
        task.apply_async(args, **options)
    except Exception:  # kombu's errors vary by transport; the sweeps are the safety net
        logger.exception("Could not queue %s%r; the next sweep will pick it up.", task.name, args)


def sweep(
    batch: Callable[..., tuple[int, dict[str, int]]], *, now: datetime, limit: int
) -> dict[str, int]:
    """Run a batch service until it reports nothing left, one transaction per batch; sum counts."""
    totals: Counter[str] = Counter()
    after_id = 0
    while True:
        after_id, counts = batch(now=now, after_id=after_id, limit=limit)
        if not after_id:
            return {"batches": totals.pop("batches", 0), **totals}
        totals.update(counts)
        totals["batches"] += 1


def _queue_deliveries(email_ids: list[int], webhook_ids: list[int]) -> None:
    for pk in email_ids:
        queue(send_email, pk)
    for pk in webhook_ids:
        queue(deliver_webhook, pk)


@shared_task
def dispatch_events(now: str | None = None) -> dict[str, int]:
    """Fan every undispatched client event out to notifications, e-mails and webhooks."""
    batch = partial(services.dispatch_batch, queue=_queue_deliveries)
    return sweep(batch, now=parse_now(now), limit=200)


@shared_task
def send_email(delivery_id: int, now: str | None = None) -> dict[str, int]:
    """One attempt of an e-mail delivery; a failure is queued again after its backoff."""
    delivery = services.send_email(delivery_id=delivery_id, now=parse_now(now))
    if delivery is not None and delivery.next_attempt_at is not None:
        queue(send_email, delivery_id, eta=delivery.next_attempt_at)
    return {"sent": int(delivery is not None and delivery.delivered_at is not None)}


@shared_task
def deliver_webhook(delivery_id: int, now: str | None = None) -> dict[str, int]:
    """One attempt of a webhook delivery; a failure is queued again after its backoff."""
    attempt = services.attempt_webhook(delivery_id=delivery_id, now=parse_now(now))
    if attempt is not None and attempt.delivery.next_attempt_at is not None:
        queue(deliver_webhook, delivery_id, eta=attempt.delivery.next_attempt_at)
    return {"delivered": int(attempt is not None and attempt.succeeded)}


@shared_task
def retry_deliveries(now: str | None = None) -> dict[str, int]:
    """Queue every pending delivery whose next attempt is due (lost or late messages)."""
    at = parse_now(now)
    emails = services.due(EmailDelivery, now=at, limit=RETRY_SWEEP_LIMIT)
    webhooks = services.due(WebhookDelivery, now=at, limit=RETRY_SWEEP_LIMIT)
    _queue_deliveries(emails, webhooks)
    return {"emails": len(emails), "webhooks": len(webhooks)}


@shared_task
def flag_boosts_at_risk(now: str | None = None) -> dict[str, int]:
    """Announce running boosts whose day-14 projection falls short, once per boost and kind."""
    return sweep(services.flag_at_risk_batch, now=parse_now(now), limit=200)
