"""Readiness checks behind ``/readyz``: database, broker, migrations, sweeps; each true or false.

Why four functions and not django-health-check: its Celery check needs a result backend (we run
none), its JSON answer carries each failing check's error text (a public probe must not), it
answers a failure with 500 where a probe wants 503, and the sweep heartbeats would be a plugin of
our own anyway. Four functions and one JSON view say exactly what the probe promises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections

from .selectors import sweep_health

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def database_ok(now: datetime) -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def broker_ok(now: datetime) -> bool:
    from starboost.celery import app

    with app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    return True


class _Migrations:
    """Whether every migration this code ships is applied; once true it stays true.

    The migration files are fixed for the life of the process and applied migrations are not
    undone under a running server, so the graph is loaded only until the answer is yes.
    """

    applied = False

    def __call__(self, now: datetime) -> bool:
        if not self.applied:
            from django.db.migrations.executor import MigrationExecutor

            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            self.applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
        return self.applied


migrations_ok = _Migrations()


def sweeps_ok(now: datetime) -> bool:
    """Every sweep succeeded within three of its periods (operations.sweeps)."""
    stale = [sweep.task_name for sweep in sweep_health(now) if sweep.stale]
    if stale:
        logger.warning("readiness: stale sweeps %s", ", ".join(stale))
    return not stale


CHECKS: dict[str, Callable[[datetime], bool]] = {
    "database": database_ok,
    "broker": broker_ok,
    "migrations": migrations_ok,
    "sweeps": sweeps_ok,
}


def readiness(*, now: datetime) -> dict[str, bool]:
    """Each check's result; a check that raises is false and its error goes to the log only."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = bool(check(now))
        except Exception:  # noqa: BLE001 - any failure means "not ready"; the log has the details
            logger.exception("readiness check %s failed", name)
            results[name] = False
    return results
