"""A real Celery worker and beat against Redis and the PostgreSQL test database (DESIGN §9).

Test A: the schedule rows the migration installs, run every second by beat, settle and pay due
boosts with nothing but ``migrate`` and the two processes. Test B: a worker killed with SIGKILL in
the middle of a payout loses nothing and pays nothing twice: the task is acknowledged late, Redis
hands it to the restarted worker once its visibility timeout has passed, and the re-run pays.

Each test uses a queue of its own, so two test runs sharing a Redis database never take each
other's tasks, and purges it before and after.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kombu import Connection

from orders.models import Boost, LedgerEntry, LedgerKind
from settlements.models import Settlement
from starboost.celery import app
from tests import factories
from tests.factories import T0
from tests.processes import wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
# T0 is in the past, so these boosts are due at the real current time the worker reads.
PUBLISHED = T0 + timedelta(days=1)
WINDOW_END = PUBLISHED + timedelta(days=14)
SWEEPS = ("Close ended boost windows", "Expire unpublished boosts", "Pay due settlements")
migration = importlib.import_module("settlements.migrations.0001_squashed_0012")


class Celery:
    """Worker and beat subprocesses on one private queue; ``stop`` always ends them."""

    def __init__(self, broker_url: str, logs: Path) -> None:
        self.broker_url, self.logs = broker_url, logs
        self.queue = f"starboost-test-{uuid.uuid4().hex[:12]}"
        # libpq reads PGAPPNAME: it names the subprocesses' sessions in pg_stat_activity.
        self.app_name = self.queue
        self.processes: list[subprocess.Popen] = []
        self.log_files: dict[int, Path] = {}
        db = connection.settings_dict
        login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        self.database_url = f"postgres://{login}@{host}/{db['NAME']}"

    def start(self, kind: str, *args: str, **env: str) -> subprocess.Popen:
        log = self.logs / f"{kind}-{len(self.processes)}.log"
        command = [sys.executable, "-m", "celery", "-A", "starboost", kind, "--loglevel=INFO"]
        with log.open("w") as output:  # the child keeps its own descriptor
            process = subprocess.Popen(
                [*command, *args],
                cwd=ROOT,
                env={
                    **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
                    "DJANGO_SETTINGS_MODULE": "starboost.settings_test",
                    "DATABASE_URL": self.database_url,
                    "CELERY_BROKER_URL": self.broker_url,
                    "PGAPPNAME": self.app_name,
                    **env,
                },
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        self.log_files[process.pid] = log
        return process

    def log(self, process: subprocess.Popen) -> str:
        return self.log_files[process.pid].read_text()

    def worker(self, **env: str) -> subprocess.Popen:
        """Start a worker; tasks wait in Redis until it is ready, so nobody waits for it here."""
        return self.start(
            "worker",
            "--pool=threads",
            "--concurrency=2",
            f"--queues={self.queue}",
            f"--hostname={self.queue}-{len(self.processes)}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            **env,
        )

    def beat(self) -> subprocess.Popen:
        return self.start(
            "beat",
            "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval=1",
        )

    def send(self, task: str) -> str:
        """Queue ``task`` on this test's queue; returns its id."""
        with Connection(self.broker_url) as conn:
            return app.send_task(task, queue=self.queue, connection=conn).id

    def purge(self, *, delete: bool = False) -> None:
        """Empty this test's queue; with ``delete``, also remove its bindings from Redis."""
        with Connection(self.broker_url) as conn:
            channel = conn.default_channel
            channel.queue_purge(self.queue)
            if delete:  # the queue's exchange has the queue's name (Celery's default routing)
                channel.client.delete(
                    channel.keyprefix_queue % self.queue,
                    channel.keyprefix_binding_permanent % self.queue,
                )

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.end_sessions()

    def end_sessions(self) -> None:
        """End the database sessions of stopped processes.

        The server notices a killed client only when it next talks to it; until then its session
        keeps its locks and would block the test database's flush.
        """
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                [self.app_name],
            )

    def tail(self) -> str:
        return "\n".join(
            f"--- {self.log_files[p.pid].name} ---\n" + "\n".join(self.log(p).splitlines()[-40:])
            for p in self.processes
        )


@pytest.fixture
def celery(broker_url: str, tmp_path: Path) -> Iterator[Celery]:
    processes = Celery(broker_url, tmp_path)
    processes.purge()
    try:
        yield processes
    finally:
        processes.stop()
        processes.purge(delete=True)


def run_sweeps_every_second(queue: str) -> None:
    """The migrated rows, on this test's queue and every second (other tests may flush them)."""
    migration.install_schedule(apps, None)
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    for task in PeriodicTask.objects.filter(name__in=migration.NAMES):
        task.queue = queue
        task.last_run_at = None
        if task.name in SWEEPS:
            task.interval = every_second
        task.save()  # also tells a running beat that the schedule changed


def test_beat_and_a_worker_settle_and_pay_due_boosts_from_the_migrated_schedule(celery):
    celery.worker()  # boots while the data is built; beat starts only once the data is complete
    succeeded = factories.publish(factories.boost(), at=PUBLISHED)
    factories.views(succeeded, (WINDOW_END, 25_000))
    short = factories.publish(factories.boost(), at=PUBLISHED)
    factories.views(short, (WINDOW_END - timedelta(hours=2), 19_000))
    unpublished = factories.boost()  # valid until T0 + 1 month, long past
    run_sweeps_every_second(celery.queue)

    celery.beat()
    settled = Settlement.objects.filter(
        status__in=[Settlement.Status.PAID, Settlement.Status.CLOSED]
    )
    took = wait_for(lambda: settled.count() == 3, 60, "settled and paid", celery)

    statuses = dict(Boost.objects.values_list("pk", "status"))
    assert statuses == {
        succeeded.pk: Boost.Status.SUCCEEDED,
        short.pk: Boost.Status.COMPENSATED,
        unpublished.pk: Boost.Status.EXPIRED,
    }
    outcomes = {s.boost_id: (s.kind, s.amount, s.status) for s in Settlement.objects.all()}
    assert outcomes == {
        succeeded.pk: ("none", Decimal("0.00"), "closed"),
        short.pk: ("compensation", Decimal("550.00"), "paid"),
        unpublished.pk: ("refund", Decimal("1000.00"), "paid"),
    }
    credits = LedgerEntry.objects.filter(kind__in=[LedgerKind.COMPENSATION, LedgerKind.REFUND])
    assert sorted(credits.values_list("boost_id", "amount")) == [
        (short.pk, Decimal("550.00")),
        (unpublished.pk, Decimal("1000.00")),
    ]
    call_command("reconcile")
    print(f"beat + worker settled and paid in {took:.1f} s")


def test_a_worker_killed_mid_payout_loses_nothing_and_its_redelivered_task_pays_each_once(
    celery,
):
    n = 300
    # Short enough to see the killed task again within the test; in production it outlasts a sweep.
    redeliver_after = 2
    worker = celery.worker(CELERY_VISIBILITY_TIMEOUT=str(redeliver_after))
    factories.due_boosts(n, published=PUBLISHED)
    first_client = Boost.objects.order_by("pk").values_list("line__order__client_id", flat=True)[0]

    celery.send("settlements.tasks.close_windows")
    wait_for(lambda: Settlement.objects.count() == n, 60, "settlements scheduled", celery)
    # Hold one client's row as a long payout batch would: the worker's pay_due locks its batch of
    # settlements, writes nothing yet and waits on the client lock, so the kill is mid-transaction.
    with psycopg.connect(celery.database_url) as blocker:
        blocker.execute("SELECT id FROM orders_client WHERE id = %s FOR UPDATE", [first_client])
        pay_due = celery.send("settlements.tasks.pay_due")
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND wait_event_type = 'Lock'"
        )

        def pay_due_is_waiting() -> bool:
            with connection.cursor() as cursor:
                cursor.execute(waiting, [celery.app_name])
                return cursor.fetchone()[0] > 0

        wait_for(pay_due_is_waiting, 30, "pay_due waiting in its batch", celery)
        killed_at = time.monotonic()
        celery.kill(worker)
        celery.end_sessions()  # its session would otherwise wait for the lock, then roll back
        blocker.rollback()
    assert worker.returncode == -signal.SIGKILL
    assert Settlement.objects.filter(status=Settlement.Status.SCHEDULED).count() == n
    assert not LedgerEntry.objects.filter(kind=LedgerKind.COMPENSATION).exists()

    time.sleep(max(0.0, redeliver_after + 1 - (time.monotonic() - killed_at)))
    restarted = celery.worker(CELERY_VISIBILITY_TIMEOUT=str(redeliver_after))
    paid = Settlement.objects.filter(status=Settlement.Status.PAID)
    took = wait_for(lambda: paid.count() == n, 60, "all paid after the restart", celery)

    assert Boost.objects.filter(status=Boost.Status.COMPENSATED).count() == n
    assert Settlement.objects.count() == n  # one per boost (a unique constraint, too)
    credits = LedgerEntry.objects.filter(kind=LedgerKind.COMPENSATION)
    assert credits.count() == n
    assert not credits.values("boost").annotate(k=Count("pk")).filter(k__gt=1).exists()
    assert credits.aggregate(total=Sum("amount"))["total"] == Decimal("550.00") * n
    call_command("reconcile")
    # Nothing else queued a payout: the restarted worker ran the very message the killed one held.
    assert f"settlements.tasks.pay_due[{pay_due}] succeeded" in celery.log(restarted)
    print(f"the restarted worker paid the redelivered task in {took:.1f} s")
