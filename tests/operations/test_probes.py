"""/healthz answers without the database; /readyz says 503 when anything it needs is not there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations import health

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_without_touching_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ok_when_database_broker_migrations_and_sweeps_are(client, all_fresh, frozen_now):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok", "migrations": "ok", "sweeps": "ok"},
    }


def test_a_heartbeat_older_than_three_periods_makes_readyz_503(
    client, schedule, ran, frozen_now, caplog
):
    for task in ("settlements.tasks.close_windows", "settlements.tasks.pay_due"):
        ran(task, frozen_now - timedelta(minutes=1))
    ran("orders.tasks.refresh_quotes", frozen_now - timedelta(hours=5))
    # Beat stopped: expire_unpublished (every 5 minutes) last succeeded 16 minutes ago.
    ran("settlements.tasks.expire_unpublished", frozen_now - timedelta(minutes=16))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "ok", "migrations": "ok", "sweeps": "failing"},
    }
    assert "settlements.tasks.expire_unpublished" in caplog.text  # the name is in the log only


def test_a_check_that_raises_is_failing_and_its_error_stays_in_the_log(
    client, all_fresh, frozen_now, monkeypatch, caplog
):
    def unreachable(now):
        raise ConnectionRefusedError("redis://:secret@10.0.0.5:6379 refused")

    monkeypatch.setitem(health.CHECKS, "broker", unreachable)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "failing"
    assert "secret" not in response.content.decode()
    assert "refused" in caplog.text


def test_unapplied_migrations_make_readyz_503(client, all_fresh, frozen_now, monkeypatch):
    monkeypatch.setattr(health.migrations_ok, "applied", False)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        lambda self, targets: [("pending", False)],
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "failing"


def test_probes_need_no_login_and_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
    assert client.head("/healthz").status_code == 200
