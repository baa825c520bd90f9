"""Celery tasks of the orders app: thin wrappers that parse ``now`` and call a service."""

from __future__ import annotations

from celery import shared_task

from kernel.instants import parse_now

from . import services


@shared_task
def refresh_quotes(now: str | None = None) -> dict[str, int]:
    """Re-quote every influencer from its history (daily, and on demand); one that fails alone is
    logged and counted as ``failed`` while the others are refreshed."""
    return services.refresh_all_quotes(now=parse_now(now))
