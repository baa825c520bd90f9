"""``ingest``: N view snapshots stored three ways, the batch API and the CSV import against COPY.

N snapshots (``--n``) of ``--lines`` published order lines, observed at ``ceil(N / lines)``
instants one hour apart, all in the past. The items are ordered instant by instant, as the
platform's pipeline polls every video at an instant, so each API batch (or CSV chunk) holds every
line at one instant (or half of them).
Loading the orders and lines, building the request bodies, the CSV file and the COPY rows is not
timed; the snapshot table is emptied (TRUNCATE) before each method.

1. The batch API: ``POST /api/views`` with ``INGEST_MAX_BATCH`` items per request and a real token
   from ``services.create_integration_token``, served in-process by Django's test ``Client`` (no
   HTTP server or socket: the full middleware stack, the view, the service and the request log).
2. ``manage.py import_views FILE.csv`` through ``call_command``, with its default chunk size.
3. The floor: PostgreSQL ``COPY`` of the same rows (line id, observed at, views, received at)
   into the snapshot table with psycopg 3's ``cursor.copy``, in one transaction.

Each method must leave exactly N rows with the same view total; the run stops if not. The issue's
target is the API and the import within 3x of COPY: printed, not asserted. Then the ``EXPLAIN
ANALYZE`` of each statement a batch runs beyond its COPY (``orders.services.snapshots.INSERT``
and the flagging, ``orders.services.suspicious.FLAG``; ``CHECK`` too if the insert stored fewer
rows than the batch has items), for one batch of growing counts at a new instant over the stored
rows, rolled back. Last, one ``POST /api/publish`` of
``INGEST_MAX_BATCH`` events for as many new lines with boosts awaiting publish: time and statements.

``run(args)`` returns, and ``headline(args)`` (the same run) gives another entry, the rows of
issue 13's table this bench measures, as (label, new figure):
``("POST /api/views, 1,000,000 snapshots", "21.0 s, 2.6x COPY")`` and
``("import_views, 1,000,000 snapshots", …)``, ``("/api/publish, 10,000 events in one batch",
"… s, 13 statements")``; ``args`` is this entry's namespace
(``add_arguments``: ``n``, ``lines``, ``seed``).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from psycopg import sql

from orders import services
from orders.models import Boost, Client, Influencer, Order, OrderLine, ViewSnapshot
from orders.services import SnapshotIn, snapshots

from . import common

NAME = "ingest"
HELP = "N view snapshots: POST /api/views and manage.py import_views against a COPY floor"

LINES_PER_ORDER = 100
TARGET = 3.0  # the goal: within 3x of COPY


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--n", type=int, default=1_000_000, help="snapshots to store (default 1000000)"
    )
    parser.add_argument(
        "--lines", type=int, default=10_000, help="published order lines (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=20261126)


def load_lines(lines: int, published_at) -> list[str]:
    """``lines`` published order lines (100 per order, one client); returns their video ids."""
    common.reset_data()
    client = Client(id=1, code="bench-ingest", name="客户")
    influencers = [
        Influencer(id=i, platform_id=f"bench_{i}", name=f"达人{i}", fixed_price=Decimal("1000.00"))
        for i in range(1, min(lines, LINES_PER_ORDER) + 1)
    ]
    orders, order_lines = [], []
    for line_id in range(1, lines + 1):
        order_id = (line_id - 1) // LINES_PER_ORDER + 1
        if order_id > len(orders):
            orders.append(
                Order(
                    id=order_id,
                    code=f"I{order_id}",
                    client_id=1,
                    idempotency_key=f"bench-{order_id}",
                    placed_at=published_at - timedelta(days=3),
                )
            )
        order_lines.append(
            OrderLine(
                id=line_id,
                order_id=order_id,
                influencer_id=(line_id - 1) % LINES_PER_ORDER + 1,
                fixed_price=Decimal("1000.00"),
                platform_video_id=f"bv{line_id:08d}",
                published_at=published_at,
            )
        )
    models = [Client, Influencer, Order, OrderLine]
    for model, objects in zip(models, [[client], influencers, orders, order_lines], strict=True):
        common.copy_rows(model, objects)
    common.reset_sequences(models)
    common.analyze()
    return [line.platform_video_id for line in order_lines]


def load_unpublished(count: int, first_id: int, placed_at) -> list[int]:
    """``count`` more lines, each with a boost awaiting publish, in orders of their own; returns
    their ids (they continue the ids of ``load_lines``)."""
    first_order = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    orders, lines, boosts = [], [], []
    for n in range(count):
        line_id, order_id = first_id + n, first_order + n // LINES_PER_ORDER + 1
        if order_id > first_order + len(orders):
            orders.append(
                Order(
                    id=order_id,
                    code=f"P{order_id}",
                    client_id=1,
                    idempotency_key=f"bench-publish-{order_id}",
                    placed_at=placed_at,
                )
            )
        lines.append(
            OrderLine(
                id=line_id,
                order_id=order_id,
                influencer_id=n % LINES_PER_ORDER + 1,
                fixed_price=Decimal("1000.00"),
            )
        )
        boosts.append(
            Boost(
                id=n + 1,
                line_id=line_id,
                expected_views=20_000,
                premium_ratio=Decimal("0.10"),
                boost_fee=Decimal("100.00"),
                loss_ratio=Decimal("0.3000"),
                quote={"bench": True},
                quoted_at=placed_at,
                valid_until=placed_at + timedelta(days=30),
                status_changed_at=placed_at,
            )
        )
    models = [Order, OrderLine, Boost]
    for model, objects in zip(models, [orders, lines, boosts], strict=True):
        common.copy_rows(model, objects)
    common.reset_sequences(models)
    common.analyze()
    return [line.pk for line in lines]


def empty_snapshots() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE orders_viewsnapshot RESTART IDENTITY CASCADE")
        cursor.execute("ANALYZE orders_viewsnapshot")


def stored() -> tuple[int, int]:
    totals = ViewSnapshot.objects.aggregate(rows=Count("pk"), views=Sum("views"))
    return totals["rows"], totals["views"] or 0


def explain_batch(items: list[SnapshotIn], now) -> str:
    """EXPLAIN ANALYZE of each statement ``record_views`` runs for ``items`` beyond its COPY and
    staging DDL, over the stored rows; each explained in a savepoint rolled back before the real
    one runs, and the whole batch rolled back."""
    out = []

    def explain(execute, sql, params, many, context):
        if sql.lstrip().startswith(("WITH", "SELECT")):
            with connection.cursor() as cursor:
                cursor.execute("SAVEPOINT bench_explain")
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                out.append(f"  {' '.join(sql.split())[:90]} …")
                out.extend(f"    {row[0]}" for row in cursor.fetchall())
                cursor.execute("ROLLBACK TO SAVEPOINT bench_explain")
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(explain):
        snapshots.record_views(items=items, now=now)
        transaction.set_rollback(True)
    return "\n".join(out)


def headline(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The issue table's rows this bench measures, with the new figures: see the docstring.

    ``quick`` (the summary's ``--quick``) measures 100,000 snapshots instead of the default."""
    if getattr(args, "quick", False):
        args.n = min(args.n, 100_000)
    return run(args)


def run(args: argparse.Namespace) -> list[tuple[str, str]]:
    n, lines = args.n, min(args.lines, args.n)
    instants = -(-n // lines)
    batch = settings.INGEST_MAX_BATCH
    now = timezone.now().replace(microsecond=0)
    first = now - timedelta(hours=instants)
    rng = random.Random(args.seed)
    version = common.server_version()
    print(
        f"ingest: {n:,} view snapshots of {lines:,} lines x {instants} hourly instants; "
        f"PostgreSQL {version}, database {connection.settings_dict['NAME']}\n"
    )

    with common.timed() as preparing:
        videos = load_lines(lines, first - timedelta(days=1))
        # (line id, video id, instant, views): instant by instant, views growing per line.
        base = [rng.randrange(1_000, 100_000) for _ in range(lines)]
        items = []
        for k in range(instants):
            at = first + timedelta(hours=k)
            for i in range(lines):
                if len(items) == n:
                    break
                items.append((i + 1, videos[i], at, base[i] * (k + 1) + rng.randrange(100)))
        expected = (len(items), sum(item[3] for item in items))
        bodies = [
            json.dumps(
                {
                    "snapshots": [
                        {"video_id": video, "observed_at": at.isoformat(), "views": views}
                        for _line, video, at, views in items[start : start + batch]
                    ]
                }
            )
            for start in range(0, len(items), batch)
        ]
        workdir = tempfile.TemporaryDirectory(prefix="starboost-bench-ingest-")
        csv_path = Path(workdir.name) / "views.csv"
        with csv_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["video_id", "observed_at", "views"])
            writer.writerows((video, at.isoformat(), views) for _l, video, at, views in items)
        rows = [(line, at, views, now) for line, _video, at, views in items]
        _token, raw = services.create_integration_token(name="bench", now=now)
    print(
        f"  prepared in {preparing[0]:.0f} s (not timed): {len(bodies)} request bodies of up to "
        f"{batch:,} items ({max(map(len, bodies)) / 1e6:.1f} MB max), a CSV file of "
        f"{csv_path.stat().st_size / 1e6:.0f} MB",
        flush=True,
    )

    results = []

    # 1. The batch API, in-process.
    empty_snapshots()
    browser = TestClient()
    headers = {"Authorization": f"Bearer {raw}"}
    statuses = set()
    with override_settings(ALLOWED_HOSTS=["testserver"]), common.timed() as api:
        for body in bodies:
            response = browser.post(
                "/api/views", body, content_type="application/json", headers=headers, secure=True
            )
            statuses.add(response.status_code)
    if statuses != {200}:
        raise SystemExit(f"the API answered {sorted(statuses)}: {response.content[:500]!r}")
    results.append((f"POST /api/views ({len(bodies)} x {batch:,}, test Client)", api[0], stored()))
    print(f"  API: {api[0]:.1f} s", flush=True)

    # 2. The CSV import.
    empty_snapshots()
    out = StringIO()
    with common.timed() as imported:
        call_command("import_views", str(csv_path), stdout=out, stderr=out)
    results.append(("manage.py import_views (chunks of 5,000)", imported[0], stored()))
    print(f"  import_views: {imported[0]:.1f} s ({out.getvalue().strip()})", flush=True)

    # 3. The floor: COPY.
    empty_snapshots()
    statement = sql.SQL("COPY {} (line_id, observed_at, views, received_at) FROM STDIN").format(
        sql.Identifier(ViewSnapshot._meta.db_table)
    )
    with common.timed() as copied:
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
    results.append(("COPY (psycopg cursor.copy)", copied[0], stored()))
    print(f"  COPY: {copied[0]:.1f} s", flush=True)
    workdir.cleanup()

    # One more instant, each count above the line's last: growing counts, as the pipeline sends.
    next_batch = [
        SnapshotIn(videos[i], now - timedelta(minutes=30), base[i] * (instants + 1) + 100)
        for i in range(min(batch, lines))
    ]
    plan = explain_batch(next_batch, now)

    # 4. One batch of publish events, each starting a boost's window.
    unpublished = load_unpublished(min(batch, n), lines + 1, now - timedelta(days=2))
    events = json.dumps(
        {
            "events": [
                {"line": pk, "video_id": f"pub{pk}", "published_at": now.isoformat()}
                for pk in unpublished
            ]
        }
    )
    with (
        override_settings(ALLOWED_HOSTS=["testserver"]),
        CaptureQueriesContext(connection) as published_queries,
        common.timed() as published,
    ):
        response = browser.post(
            "/api/publish", events, content_type="application/json", headers=headers, secure=True
        )
    if response.status_code != 200:
        raise SystemExit(
            f"/api/publish answered {response.status_code}: {response.content[:300]!r}"
        )
    active = Boost.objects.filter(status=Boost.Status.ACTIVE).count()
    print(
        f"\nPOST /api/publish, one batch of {len(unpublished):,} events: {published[0]:.2f} s, "
        f"{len(published_queries)} statements (authentication and request log included), "
        f"{active:,} boosts now active"
    )
    floor = copied[0]
    table = []
    for name, seconds, (count, views) in results:
        ratio = seconds / floor
        table.append(
            (
                name,
                f"{count:,}",
                f"{seconds:.2f}",
                f"{count / seconds:,.0f}",
                f"{ratio:.1f}x",
                "-" if name.startswith("COPY") else ("yes" if ratio <= TARGET else "NO"),
                "yes" if (count, views) == expected else "NO",
            )
        )
    print()
    print(
        common.table(
            ["method", "rows", "seconds", "rows/s", "vs COPY", f"within {TARGET:.0f}x", "all rows"],
            table,
        )
    )
    print(f"\nEXPLAIN ANALYZE of one batch ({min(batch, lines):,} items, stored rows in place):")
    print(plan)
    if any(row[-1] != "yes" for row in table):
        raise SystemExit(f"a method did not store the {expected[0]:,} snapshots it was given")
    return [
        (f"POST /api/views, {n:,} snapshots", f"{api[0]:.1f} s, {api[0] / floor:.1f}x COPY"),
        (f"import_views, {n:,} snapshots", f"{imported[0]:.1f} s, {imported[0] / floor:.1f}x COPY"),
        (
            f"/api/publish, {len(unpublished):,} events in one batch",
            f"{published[0]:.1f} s, {len(published_queries)} statements",
        ),
    ]
