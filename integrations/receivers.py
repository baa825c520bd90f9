"""Signal receivers: queue the fan-out once events have committed (``events_committed``)."""

from __future__ import annotations

from typing import Any

from . import tasks


def queue_dispatch(sender: Any, **kwargs: Any) -> None:
    """Queue one fan-out; with the broker down, the periodic fan-out picks the events up later."""
    tasks.queue(tasks.dispatch_events)
