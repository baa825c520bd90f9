"""Suite-wide hooks: PostgreSQL-only tests, never a silent SQLite run in CI, English messages."""

from __future__ import annotations

import os

import pytest

POSTGRES_ONLY = "needs PostgreSQL (real transactions, row locks, triggers); DATABASE_URL is SQLite"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service messages in tests are the English source strings, whatever is translated.

    Requests still pick their language through ``LocaleMiddleware`` (Chinese by default).
    """
    from django.utils import translation

    with translation.override("en"):
        yield


def _on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _on_postgresql():
        return
    if os.environ.get("CI"):
        pytest.exit("CI must test on PostgreSQL: set DATABASE_URL to a PostgreSQL database", 1)
    skip = pytest.mark.skip(reason=POSTGRES_ONLY)
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    skipped = [
        report.nodeid
        for report in terminalreporter.stats.get("skipped", [])
        if POSTGRES_ONLY in str(report.longrepr)
    ]
    if skipped:
        terminalreporter.section("PostgreSQL-only tests skipped on SQLite")
        for nodeid in skipped:
            terminalreporter.write_line(nodeid)
        terminalreporter.write_line(
            f"{len(skipped)} test(s) skipped: set DATABASE_URL=postgres://… to run them."
        )
