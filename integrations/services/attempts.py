"""One attempt of a delivery (e-mail or webhook): claim it, and record how it went.

A worker claims a due delivery by moving its ``next_attempt_at`` past the attempt's duration in
one conditional UPDATE: a second worker (a redelivered message, the retry sweep) finds nothing
due and does nothing, and no lock is held while the message travels. The outcome is then written
under the row's lock: delivered; or retried after an exponential backoff; or, after the last
allowed attempt, failed for good.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from ..backoff import retry_delay
from ..models import Delivery, DeliveryStatus


def claim(model: type[Delivery], pk: int, *, now: datetime) -> bool:
    """Take the next attempt of a due pending delivery; False when it is not due or taken."""
    lease = timedelta(seconds=settings.INTEGRATIONS_ATTEMPT_LEASE_SECONDS)
    claimed = model.objects.filter(
        pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + lease)
    return claimed == 1


def record(
    model: type[Delivery], pk: int, *, now: datetime, error: str, final: bool = False
) -> Delivery:
    """Count one attempt that ended with ``error`` ("" for success) and plan what follows.

    ``final``: a failure that no retry can mend (the endpoint is gone). The caller runs this in a
    transaction; the row is locked, re-read and updated.
    """
    delivery = model.objects.select_for_update().get(pk=pk)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_error = error[:300]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
    elif final or delivery.attempts >= delivery.give_up_after:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.next_attempt_at = now + retry_delay(
            delivery.attempts,
            base_seconds=settings.INTEGRATIONS_RETRY_BASE_SECONDS,
            ceiling_seconds=settings.INTEGRATIONS_RETRY_CEILING_SECONDS,
        )
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery


def due(model: type[Delivery], *, now: datetime, limit: int) -> list[int]:
    """The pending deliveries whose next attempt is due, oldest first (the retry sweep)."""
    rows = model.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    return list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def retry_now(delivery: Delivery, *, now: datetime) -> list[str]:
    """Make a delivery due now for one more attempt (a resend); returns the fields changed.

    A pending delivery keeps its remaining attempts; a delivered or failed one gets exactly one.
    """
    if delivery.status != DeliveryStatus.PENDING:
        delivery.give_up_after = delivery.attempts + 1
    delivery.status, delivery.delivered_at, delivery.next_attempt_at = "pending", None, now
    return ["give_up_after", "status", "delivered_at", "next_attempt_at"]
