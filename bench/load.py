"""``load``: the client pages over real HTTP on the production web server, alone and during a sweep.

The data set is the ``sweep`` entry's (``--n`` due boosts, default 10,000, 100 per client in orders
of 10 lines, each with its view snapshots), and a portal user for each of the first ``--users``
clients (default 50), logged in beforehand (``force_login``: its session cookie). The server is
the production one as ``bin/serve`` runs it: ``gunicorn --config starboost/gunicorn.py`` with DEBUG
off and collectstatic's manifest, on 127.0.0.1 and a free port, ``--workers`` processes
(WEB_CONCURRENCY, default 3 as issue 13 measured); only the web process, not the Celery worker
and beat. Requests say ``X-Forwarded-Proto: https`` as the proxy in front would, and accept gzip.

``--users`` threads (a bounded pool, one simulated user each, no think time) request their client's
pages in turn: the orders list, two order pages, the account page. Phase one runs ``--seconds``
(default 20); phase two runs while ``services.sweep`` closes and pays every due boost in another
thread (what the Celery tasks run), and stops when the sweep is done (at most ``--seconds`` x 10).
Each phase reports the requests, req/s, req/s per core (``os.cpu_count()``, shared with the load
generator itself), p50 and p95 latency, the errors, and the CPU time the server's workers spent
per request (user + system, read from Linux's ``/proc``; PostgreSQL's share is not in it): on a
machine shared with other work the wall-clock figures measure the share the bench got, the CPU
per request what a page costs. The server is stopped at the end, whatever
happens.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client as TestClient

from orders.models import ClientMembership, Order
from settlements import services

from . import common, sweep

NAME = "load"
HELP = "client pages over HTTP on gunicorn (bin/serve's web process): req/s, p95, during a sweep"

ROOT = Path(__file__).resolve().parents[1]
# Issue 13's measurement before: 50 concurrent users on gunicorn with 3 workers.
BEFORE = "55 req/s, p50 892 ms (50 users, gunicorn 3 workers)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=10_000, help="due boosts (default 10000)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--seconds", type=float, default=20.0, help="phase one (default 20)")
    parser.add_argument("--batch", type=int, default=500, help="sweep batch size (default 500)")
    parser.add_argument("--seed", type=int, default=20261126)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(port: int, workers: int):
    """gunicorn as Procfile.production's web line, stopped (SIGTERM, then SIGKILL) on exit."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "STARBOOST_DOTENV": "",
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(workers),
        "PYTHONUNBUFFERED": "1",
        "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="starboost-bench-prometheus-"),
    }
    log = tempfile.NamedTemporaryFile(prefix="starboost-bench-gunicorn-", suffix=".log")
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", "starboost/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = Path(log.name).read_text()
                raise SystemExit(f"gunicorn exited {process.returncode}: {output}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not listen within 60 s") from None
                time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def worker_cpu(master: int) -> float:
    """Seconds of CPU (user + system) the master's worker processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:  # a worker that just exited
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name: field 3 onwards
        total += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return total / tick


def users_and_pages(count: int) -> list[tuple[str, list[str]]]:
    """A session cookie and the pages to visit for each of the first ``count`` clients."""
    people = []
    for n, order in enumerate(Order.objects.order_by("client_id", "id").distinct("client_id")):
        if n >= count:
            break
        user = get_user_model().objects.create_user(f"bench-load-{n}", password=None)
        ClientMembership.objects.create(user=user, client_id=order.client_id)
        browser = TestClient()
        browser.force_login(user)
        codes = list(
            Order.objects.filter(client_id=order.client_id).values_list("code", flat=True)[:2]
        )
        pages = ["/orders/", *(f"/orders/{code}/" for code in codes), "/account/"]
        people.append((browser.cookies[settings.SESSION_COOKIE_NAME].value, pages))
    return people


def fetch(port: int, path: str, cookie: str) -> tuple[float, int]:
    """One GET over a new connection (gunicorn's sync workers close after each response)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "GET",
            path,
            headers={
                "Host": "127.0.0.1",
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
                "X-Forwarded-Proto": "https",
                "Accept-Encoding": "gzip",
            },
        )
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return time.perf_counter() - start, status


def kind(path: str) -> str:
    """The page a path is, for the per-page medians: an order page is any order's."""
    return "/orders/<code>/" if path.startswith("/orders/") and path != "/orders/" else path


def phase(port: int, people, *, master: int, stop: threading.Event, limit: float) -> dict:
    """Every user requests its pages in turn until ``stop`` is set or ``limit`` seconds pass;
    ``master`` is the server's pid, whose workers' CPU time the phase reports."""
    seen: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    cpu = worker_cpu(master)
    began = time.perf_counter()

    def user(cookie: str, pages: list[str]) -> None:
        mine = []
        for path in itertools.cycle(pages):
            if stop.is_set() or time.perf_counter() - began > limit:
                break
            mine.append((kind(path), *fetch(port, path, cookie)))
        with lock:
            seen.extend(mine)

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        for cookie, pages in people:
            pool.submit(user, cookie, pages)
    elapsed = time.perf_counter() - began
    cpu = worker_cpu(master) - cpu
    times = sorted(t for _kind, t, status in seen if status == 200)
    errors = sum(1 for _kind, _t, status in seen if status != 200)
    pages = {}
    for name in sorted({k for k, _t, _s in seen}):
        own = [t for k, t, status in seen if k == name and status == 200]
        pages[name] = statistics.median(own) if own else float("nan")
    return {
        "pages": pages,
        "seconds": elapsed,
        "requests": len(seen),
        "rps": len(times) / elapsed,
        "p50": statistics.median(times) if times else float("nan"),
        "p95": times[int(0.95 * (len(times) - 1))] if times else float("nan"),
        "errors": errors,
        "cpu_ms": cpu * 1000 / len(times) if times else float("nan"),
    }


def measure(args: argparse.Namespace) -> tuple[dict, dict, dict]:
    """Load, start the server, run both phases; returns them and what the sweep did."""
    sweep.load(args.n, args.seed)
    people = users_and_pages(args.users)
    call_command("collectstatic", interactive=False, verbosity=0)
    connection.close()  # the server's workers get their own connections; so do the threads
    port = free_port()
    with server(port, args.workers) as process:
        for cookie, pages in people[:3]:  # every worker warmed once
            for path in pages:
                fetch(port, path, cookie)
        alone = phase(port, people, master=process.pid, stop=threading.Event(), limit=args.seconds)
        done, swept = threading.Event(), {}

        def run_sweep() -> None:
            try:
                with common.timed() as took:
                    swept["closed"] = services.sweep(
                        services.close_windows_batch, now=sweep.NOW, limit=args.batch
                    )
                    swept["paid"] = services.sweep(
                        services.pay_batch, now=sweep.NOW, limit=args.batch
                    )
                swept["seconds"] = took[0]
            finally:
                connections.close_all()
                done.set()

        sweeper = threading.Thread(target=run_sweep)
        sweeper.start()
        during = phase(port, people, master=process.pid, stop=done, limit=args.seconds * 10)
        sweeper.join()
    return alone, during, swept


def _row(name: str, figures: dict, cores: int) -> tuple[object, ...]:
    return (
        name,
        f"{figures['seconds']:.0f}",
        figures["requests"],
        f"{figures['rps']:.1f}",
        f"{figures['rps'] / cores:.1f}",
        f"{figures['p50'] * 1000:.0f}",
        f"{figures['p95'] * 1000:.0f}",
        figures["errors"],
        f"{figures['cpu_ms']:.1f}",
    )


def headline(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The summary's row: client pages under concurrency, alone and during a sweep."""
    if getattr(args, "quick", False):
        args.n, args.seconds = min(args.n, 2_000), min(args.seconds, 8.0)
    alone, during, _swept = measure(args)
    cores = os.cpu_count() or 1
    text = (
        f"{alone['rps']:.0f} req/s ({alone['rps'] / cores:.0f}/core), p50 "
        f"{alone['p50'] * 1000:.0f} ms, p95 {alone['p95'] * 1000:.0f} ms, server CPU "
        f"{alone['cpu_ms']:.1f} ms/request; during a sweep "
        f"{during['rps']:.0f} req/s, p95 {during['p95'] * 1000:.0f} ms "
        f"({args.users} users, {args.workers} workers)"
    )
    return [("client pages under concurrency", text)]


def run(args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    print(
        f"load: {args.users} users over HTTP on gunicorn ({args.workers} workers, 127.0.0.1), "
        f"data of {args.n:,} due boosts, database {connection.settings_dict['NAME']}, {cores} "
        f"cores; load average before {os.getloadavg()[0]:.1f}\n",
        flush=True,
    )
    alone, during, swept = measure(args)
    print(
        common.table(
            [
                "phase",
                "s",
                "requests",
                "req/s",
                "req/s/core",
                "p50 ms",
                "p95 ms",
                "errors",
                "server CPU ms/req",
            ],
            [_row("alone", alone, cores), _row("during a sweep", during, cores)],
        )
    )
    for name, figures in (("alone", alone), ("during a sweep", during)):
        medians = ", ".join(f"{page} {t * 1000:.0f}" for page, t in figures["pages"].items())
        print(f"  p50 ms by page, {name}: {medians}")
    print(
        f"\nThe sweep closed {swept.get('closed')} and paid {swept.get('paid')} in "
        f"{swept.get('seconds', float('nan')):.1f} s while the pages were served. Before (issue "
        f"13): {BEFORE}. Load average after {os.getloadavg()[0]:.1f} (the load generator runs "
        "on the same cores)."
    )
    sys.stdout.flush()
