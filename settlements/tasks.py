"""Periodic sweeps (DESIGN §9): parse ``now``, run a service batch by batch, return counts.

All are safe to run twice or concurrently: batches lock their rows with
``select_for_update(skip_locked=True)``, re-check state, and unique constraints back the writes.
None raises because of one row: a row that fails alone is quarantined (``quarantined`` in the
counts), shown in the operators' work queue and retried on the next run (``resolved``).
"""

from __future__ import annotations

from celery import shared_task

from kernel.instants import parse_now

from . import services


@shared_task
def close_windows(now: str | None = None) -> dict[str, int]:
    """Settle the boosts whose 14-day window has ended (or park them awaiting views)."""
    return services.sweep(services.close_windows_batch, now=parse_now(now))


@shared_task
def expire_unpublished(now: str | None = None) -> dict[str, int]:
    """Expire the boosts still unpublished after one month and schedule their refunds."""
    return services.sweep(services.expire_batch, now=parse_now(now))


@shared_task
def pay_due(now: str | None = None) -> dict[str, int]:
    """Pay every scheduled settlement with exactly one ledger credit."""
    return services.sweep(services.pay_batch, now=parse_now(now))


@shared_task
def compact_snapshots(now: str | None = None) -> dict[str, int]:
    """Thin the old snapshots of settled boosts to one a day, keeping those settlements name."""
    return services.compact_snapshots(now=parse_now(now))
