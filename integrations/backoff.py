"""When a failed delivery is tried again: exponential backoff with a ceiling. Pure."""

from __future__ import annotations

from datetime import timedelta


def retry_delay(attempts: int, *, base_seconds: int, ceiling_seconds: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 × base, 4 × base … capped.

    No jitter: retries are already spread by when each delivery first failed, and a fixed
    schedule is easier to explain in the delivery log.
    """
    if attempts < 1:
        return timedelta(0)
    return timedelta(seconds=min(ceiling_seconds, base_seconds * 2 ** (attempts - 1)))
