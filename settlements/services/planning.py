"""Planner settings a batch needs on PostgreSQL whatever the statistics say (issue 13).

A payout batch touches 500 settlements by id: it walks the scheduled ones in id order on a
partial index, reads them and updates them by primary key. When the table's statistics predate
the backlog (analyzed while it was nearly empty, as after a deploy or before autovacuum catches
up), PostgreSQL expects a handful of rows in the whole table: it sorts every scheduled row past
the id before the limit (a bitmap scan returns them in physical order), and reads and updates
"500 of a tiny table" with sequential scans. Each batch then costs as much as the backlog: at
70,000 scheduled, 66 ms to lock the first batch against 0.4 ms walking the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_SETTINGS = ("enable_bitmapscan", "enable_seqscan", "enable_hashjoin", "enable_mergejoin")


@contextmanager
def index_scans_only() -> Iterator[None]:
    """Plan the statements inside on plain index scans joined by nested loops, in the caller's
    transaction.

    Joins too: reading 500 locked rows by id with their lines and orders, the planner otherwise
    hashes (or merges) a full index scan of the joined table, 10,000 order lines for 500 boosts,
    so the read would cost the table, not the batch.

    The previous values are put back once the block succeeds; when it raises, the rollback of
    the caller's transaction (or savepoint) undoes the settings. A no-op on other databases.
    """
    if connection.vendor != "postgresql":
        yield
        return
    n = len(_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(["current_setting(%s)"] * n + ["set_config(%s, 'off', true)"] * n),
            [*_SETTINGS, *_SETTINGS],
        )
        previous = cursor.fetchone()[:n]
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * n),
            [value for pair in zip(_SETTINGS, previous, strict=True) for value in pair],
        )
