"""What the tests that start real processes (a Celery worker and beat, ``bin/serve``) share."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import pytest


class Logged(Protocol):
    """Processes whose logs a failing test shows."""

    def tail(self) -> str: ...


def wait_for(condition: Callable[[], bool], seconds: float, what: str, processes: Logged) -> float:
    """Poll until ``condition`` holds; returns the seconds it took, fails with the logs if not."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            pytest.fail(f"not {what} within {seconds} s\n{processes.tail()}")
        time.sleep(0.25)
    return time.monotonic() - start
