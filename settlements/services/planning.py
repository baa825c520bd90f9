"""Planner settings a batch needs on PostgreSQL whatever the statistics say (issue 13).

The payout sweep walks scheduled settlements in id order on a partial index and stops at the
batch size. When the table's statistics predate the backlog (analyzed while it was nearly empty,
as after a deploy or before autovacuum catches up), PostgreSQL expects a handful of rows and
prefers a bitmap scan: it returns rows in physical order, so every scheduled row past the id is
sorted before the limit, and each batch costs as much as the backlog left (66 ms a batch with
70,000 scheduled, 0.4 ms walking the index).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def walking_the_index() -> Iterator[None]:
    """Plan the statements inside without bitmap scans, in the caller's transaction.

    The previous value is put back once the block succeeds; when it raises, the rollback of the
    caller's transaction undoes the setting. A no-op on other databases.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_bitmapscan'), "
            "set_config('enable_bitmapscan', 'off', true)"
        )
        previous, _off = cursor.fetchone()
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_bitmapscan', %s, true)", [previous])
