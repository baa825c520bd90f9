"""Sweeps: run a batch service over every due row, one transaction per batch (DESIGN §9)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

Batch = Callable[..., tuple[int, dict[str, int]]]


def sweep(batch: Batch, *, now: datetime, limit: int = 500) -> dict[str, int]:
    """Run a batch service over every due row once, in id order; returns summed counts.

    Each batch is its own transaction, so a crash loses at most the batch in flight (rolled back,
    redone by the next run). Rows locked by a concurrent run are skipped, not waited for.
    """
    totals: Counter[str] = Counter()
    after_id = 0
    while True:
        after_id, counts = batch(now=now, after_id=after_id, limit=limit)
        if not after_id:
            return {"batches": totals.pop("batches", 0), **totals}
        totals.update(counts)
        totals["batches"] += 1
