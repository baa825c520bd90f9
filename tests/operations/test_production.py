"""The production command set (bin/serve: gunicorn, a Celery worker, one beat) over real HTTP.

On PostgreSQL and Redis, with real processes on a free loopback port: a client page, an admin
page, a static file served by whitenoise, the probes and the metrics answer; beat sends a sweep
on a short schedule and its heartbeat is recorded; SIGTERM stops everything within a bound.
"""

from __future__ import annotations

import gzip
import http.client
import importlib
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kombu import Connection

from operations.models import SweepRun
from operations.sweeps import SWEEP_TASKS
from tests.processes import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
STOP_WITHIN_SECONDS = 20
HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy in front of gunicorn sends it
beat_schedule = importlib.import_module("settlements.migrations.0001_squashed_0012")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """bin/serve in its own process group; ``kill`` always ends it and its children."""

    def __init__(self, broker_url: str, tmp_path: Path) -> None:
        self.port, self.log = free_port(), tmp_path / "serve.log"
        self.queue = self.app_name = f"starboost-serve-{uuid.uuid4().hex[:12]}"
        self.metrics_token = secrets.token_urlsafe(24)
        db = connection.settings_dict
        login = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        inherited = {  # the tests' own settings must not leak into production
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CELERY_", "DJANGO_", "SECURE_", "STARBOOST_", "PROMETHEUS_"))
            and k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "PORT"}
        }
        self.env = {
            **inherited,
            "DATABASE_URL": f"postgres://{login}@{host}/{db['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_QUEUE": self.queue,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "PORT": str(self.port),
            "BIND_HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "2",
            "CELERY_CONCURRENCY": "2",
            "STATIC_ROOT": str(tmp_path / "static"),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
            "METRICS_TOKEN": self.metrics_token,
            "PGAPPNAME": self.app_name,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("w") as output:
            self.process = subprocess.Popen(
                [ROOT / "bin" / "serve"],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def answers(self) -> bool:
        try:
            return self.get("/healthz")[0] == 200
        except OSError:
            return False

    def groups(self) -> list[int]:
        """bin/serve's process group and those of web, worker and beat (honcho starts each in
        a session of its own, so killing bin/serve's group alone would leave them running)."""
        started = re.findall(r"started \(pid=(\d+)\)", self.log.read_text())
        return [self.process.pid, *map(int, started)]

    def alive(self) -> bool:
        for group in self.groups():
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                continue
            return True
        return False

    def stop(self) -> float:
        """SIGTERM to bin/serve (honcho passes it on); returns the seconds until all had left."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_WITHIN_SECONDS)
        except subprocess.TimeoutExpired:
            return time.monotonic() - started
        while self.alive() and time.monotonic() - started < STOP_WITHIN_SECONDS:
            time.sleep(0.1)
        return time.monotonic() - started

    def kill(self) -> None:
        """Whatever is left after a failure: stop gracefully, then kill every group."""
        if self.alive():
            self.stop()
        for group in self.groups():
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        with connection.cursor() as cursor:  # their sessions would block the test database flush
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                [self.app_name],
            )
        with Connection(self.env["CELERY_BROKER_URL"]) as conn:
            channel = conn.default_channel
            channel.queue_purge(self.queue)
            channel.client.delete(
                channel.keyprefix_queue % self.queue,
                channel.keyprefix_binding_permanent % self.queue,
            )

    def tail(self) -> str:
        return "\n".join(self.log.read_text().splitlines()[-60:])


@pytest.fixture
def server(broker_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(broker_url, tmp_path)
    try:
        yield running
    finally:
        if running.process is not None:
            running.kill()


def short_close_windows_schedule() -> None:
    """The migrated rows (a flush may have removed them), close_windows every 2 seconds."""
    beat_schedule.install_schedule(apps, None)
    every_2s, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    for task in PeriodicTask.objects.filter(task__in=SWEEP_TASKS):
        task.last_run_at = None
        if task.task == "settlements.tasks.close_windows":
            task.interval = every_2s
        task.save()  # also: the schedule changed now, so no sweep is stale before its first run


def test_the_production_command_set_serves_pages_probes_static_files_and_runs_sweeps(server):
    short_close_windows_schedule()
    server.start()
    wait_for(server.answers, 90, "answering /healthz", server)

    status, headers, body = server.get("/login/", **HTTPS)
    assert status == 200, server.tail()
    page = body.decode()
    stylesheet = re.search(r'href="(/static/portal/portal\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, server.tail()
    assert len(headers["X-Request-ID"]) == 32

    status, _, body = server.get("/admin/login/", **HTTPS)
    assert status == 200
    assert b'name="username"' in body

    status, headers, body = server.get(stylesheet.group(1), **HTTPS, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert b"portal" in gzip.decompress(body)

    status, headers, _ = server.get("/login/")  # plain HTTP is sent to HTTPS ...
    assert status == 301 and headers["Location"].startswith("https://")
    status, _, body = server.get("/healthz")  # ... except the probes
    assert (status, body) == (200, b'{"status": "ok"}')

    runs = SweepRun.objects.filter(task_name="settlements.tasks.close_windows", succeeded=True)
    wait_for(runs.exists, 60, "a close_windows heartbeat from beat and the worker", server)
    run = runs.first()
    assert run.finished_at >= run.started_at and "batches" in run.counts

    status, _, body = server.get("/readyz")
    assert status == 200, (body, server.tail())
    assert body == (
        b'{"status": "ok", "checks": {"database": "ok", "broker": "ok", '
        b'"migrations": "ok", "sweeps": "ok"}}'
    )
    assert server.get("/metrics")[0] == 403
    status, _, body = server.get("/metrics", Authorization=f"Bearer {server.metrics_token}")
    assert status == 200
    metrics = body.decode()
    assert 'starboost_sweep_stale{task="settlements.tasks.close_windows"} 0.0' in metrics
    assert "django_http_requests_total_by_view_transport_method_total" in metrics

    took = server.stop()
    assert not server.alive(), f"still running after {took:.1f} s\n{server.tail()}"
    assert took < STOP_WITHIN_SECONDS
    log = server.log.read_text()
    for process in ("web.1", "worker.1", "beat.1"):
        assert f"{process} stopped (rc=0)" in log, server.tail()
    print(f"bin/serve stopped in {took:.1f} s")
