"""Celery tasks of the orders app: thin wrappers that parse ``now`` and call a service."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import services


def parse_now(now: str | None) -> datetime:
    """``now`` as given (ISO 8601, so a sweep can be replayed as of a past instant) or the clock.

    A naive value is read in the project time zone (Asia/Shanghai).
    """
    if now is None:
        return timezone.now()
    parsed = parse_datetime(now)
    if parsed is None:
        raise ValueError(f"now must be an ISO 8601 date-time, got {now!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@shared_task
def refresh_quotes(now: str | None = None) -> dict[str, int]:
    """Re-quote every influencer from its history (daily, and on demand)."""
    return {"refreshed": services.refresh_quotes(now=parse_now(now))}
