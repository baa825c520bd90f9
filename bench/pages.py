"""``pages``: the client order page of a 50-line order, before and after, against its own SQL.

One client with one order of ``--lines`` lines (default 50), each with an active boost at the end
of a full window: ``--snapshots`` hourly view snapshots per line (default 336, 14 days), so every
card draws its chart and projection; ``--others`` more orders like it (default 10) belong to another
client, so the snapshot table holds 11 times the page's rows. Loaded with COPY, not timed.

The page is served in-process by Django's test ``Client`` logged in as the client's user
(``force_login``), through the same middleware, ``--warmup`` requests then ``--r`` timed ones; so is
``GET /bench/ok/``, a view returning ``HttpResponse("ok")`` that this module adds to the real URLs
(it is the URLconf, through ``override_settings(ROOT_URLCONF="bench.pages")``), for the cost of the
stack itself. The page's SQL time is its own statements (``CaptureQueriesContext`` on one more
request) run again on their own with every row fetched, right after each timed request, so the two
meet the same load on a shared machine; page/SQL is the median of those pairs. The table shows
the issue's "before" figures beside the new ones, then the plan of the downsampling query
(``EXPLAIN ANALYZE``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path
from django.utils import timezone

from orders import models

from . import common

NAME = "pages"
HELP = "GET /orders/<code>/ of a 50-line order with 336 snapshots a line: before, now, its SQL"


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# This module is the bench URLconf: the real URLs plus the minimal view.
urlpatterns = [path("bench/ok/", ok), path("", include("starboost.urls"))]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lines", type=int, default=50, help="lines of the order (default 50)")
    parser.add_argument(
        "--snapshots", type=int, default=336, help="hourly snapshots per line (default 336)"
    )
    parser.add_argument(
        "--others",
        type=int,
        default=10,
        help="orders of the same shape of another client, in the same tables (default 10)",
    )
    parser.add_argument("--r", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default 3)")
    parser.add_argument("--save", metavar="PATH", help="write the order page's body to PATH")


def load(lines: int, snapshots: int, others: int, now) -> tuple[str, object]:
    """The order (its code) and the client's user, as the module docstring says.

    ``others`` more orders of the same shape belong to another client: the page must find its
    own snapshots among theirs, as in production, on the snapshot table's (line, observed_at)
    index.
    """
    common.reset_data()
    window_start = now - timedelta(hours=snapshots)
    window_end = window_start + timedelta(days=14, hours=1)
    placed = window_start - timedelta(days=2)
    clients = [
        models.Client(id=1, code="bench-pages", name="页面客户"),
        models.Client(id=2, code="bench-others", name="其他客户"),
    ]
    influencers = common.influencers(lines, Decimal("20000.00"))
    orders = [
        models.Order(
            id=1, code="BENCHPAGES", client_id=1, idempotency_key="bench-pages", placed_at=placed
        )
    ] + [
        models.Order(
            id=n, code=f"BENCHOTHER{n}", client_id=2, idempotency_key=f"o{n}", placed_at=placed
        )
        for n in range(2, others + 2)
    ]
    order_lines, boosts, rows = [], [], []
    for order in orders:
        for i in range(1, lines + 1):
            line_id = len(order_lines) + 1
            price = Decimal(10_000 + 500 * i)
            expected = 200_000 + 10_000 * i
            order_lines.append(
                common.order_line(line_id, order.id, i, price, window_start, f"bvpage{line_id}")
            )
            boosts.append(
                common.boost(
                    line_id,
                    models.Boost.Status.ACTIVE,
                    (expected, Decimal("0.25"), price / 4),
                    quoted_at=placed,
                    window=(window_start, window_end),
                    status_changed_at=window_start,
                    quote={"bench": True, "expected_views": expected},
                )
            )
            for h in range(1, snapshots + 1):
                at = window_start + timedelta(hours=h)
                rows.append(
                    models.ViewSnapshot(
                        id=len(rows) + 1,
                        line_id=line_id,
                        observed_at=at,
                        views=int(expected * (h / snapshots) ** 0.7),
                        received_at=at,
                    )
                )
    total = sum(line.fixed_price for line in order_lines[:lines]) + sum(
        b.boost_fee for b in boosts[:lines]
    )
    entries = [
        models.LedgerEntry(
            id=1,
            client_id=1,
            kind=models.LedgerKind.TOP_UP,
            amount=total * 2,
            balance_after=total * 2,
            idempotency_key="bench-pages-top-up",
            created_at=placed - timedelta(days=1),
        ),
        models.LedgerEntry(
            id=2,
            client_id=1,
            kind=models.LedgerKind.ORDER_CHARGE,
            amount=-total,
            balance_after=total,
            idempotency_key="bench-pages-order",
            order_id=1,
            created_at=placed,
        ),
    ]
    common.copy_all(
        [
            (models.Client, clients),
            (models.Influencer, influencers),
            (models.Order, orders),
            (models.OrderLine, order_lines),
            (models.Boost, boosts),
            (models.ViewSnapshot, rows),
            (models.LedgerEntry, entries),
        ]
    )
    user = get_user_model().objects.create_user("bench-client", password=None)
    models.ClientMembership.objects.create(user=user, client_id=1)
    common.analyze()
    return orders[0].code, user


# The order page as issue 13 measured it, before the charts were downsampled in SQL.
BEFORE = {"median_ms": 606.0, "kb": 386.0, "queries": 7, "sql_ms": 25.0, "ratio": 24.0}


def latencies(browser: TestClient, url: str, *, warmup: int, r: int) -> tuple[list[float], bytes]:
    """Seconds of each of ``r`` requests after ``warmup`` ones; and the last response's body."""
    for _ in range(warmup):
        browser.get(url, secure=True)
    timed = [common.get(browser, url) for _ in range(r)]
    return [seconds for seconds, _response in timed], timed[-1][1].content


def sql_seconds(statements: list[str]) -> float:
    """The statements' own time, run once each on their own with every row fetched."""
    total = 0.0
    with connection.cursor() as cursor:
        for statement in statements:
            start = time.perf_counter()
            cursor.execute(statement)
            cursor.fetchall()
            total += time.perf_counter() - start
    return total


def rounds(
    browser: TestClient, url: str, statements: list[str], *, r: int
) -> tuple[list[float], list[float]]:
    """``r`` rounds of one page request then its statements on their own: both seconds each.

    Side by side, so the page and its SQL meet the same load on a shared machine.
    """
    pages, sqls = [], []
    for _ in range(r):
        pages.append(common.get(browser, url)[0])
        sqls.append(sql_seconds(statements))
    return pages, sqls


def explain(statement: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
        return "\n".join(f"  {row[0]}" for row in cursor.fetchall())


def measure(args: argparse.Namespace) -> dict:
    """Load the order, then time it against its SQL; the figures ``run`` and ``headline`` show."""
    now = timezone.now()
    with common.timed() as loading:
        code, user = load(args.lines, args.snapshots, args.others, now)
    # The pages name their static files as production does: hashed, from collectstatic's manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    browser = TestClient()
    browser.force_login(user)
    order_url = f"/orders/{code}/"
    with override_settings(ROOT_URLCONF="bench.pages", ALLOWED_HOSTS=["testserver"]):
        _seen, body = latencies(browser, order_url, warmup=args.warmup, r=1)
        with CaptureQueriesContext(connection) as queries:
            browser.get(order_url, secure=True)
        statements = [query["sql"] for query in queries.captured_queries]
        page, sqls = rounds(browser, order_url, statements, r=args.r)
        minimal, _body = latencies(browser, "/bench/ok/", warmup=args.warmup, r=args.r)
        compressed = browser.get(order_url, secure=True, headers={"accept-encoding": "gzip"})
    return {
        "code": code,
        "url": order_url,
        "loading": loading[0],
        "body": body,
        "gzipped": len(compressed.content) if compressed.get("Content-Encoding") else None,
        "statements": statements,
        "page": page,
        "sqls": sqls,
        "minimal": minimal,
        "median": statistics.median(page),
        "sql": statistics.median(sqls),
        "ratio": statistics.median(p / q for p, q in zip(page, sqls, strict=True)),
    }


def headline(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The summary's row: the order page's median, weight and ratio to its own SQL."""
    if getattr(args, "quick", False):
        args.r, args.others = min(args.r, 10), min(args.others, 3)
    m = measure(args)
    gzipped = f", {m['gzipped'] / 1000:.1f} KB gzipped" if m["gzipped"] else ""
    return [
        (
            f"order page, {args.lines} lines x {args.snapshots} snapshots",
            f"median {m['median'] * 1000:.1f} ms, {len(m['body']) / 1000:.1f} KB{gzipped}, "
            f"{m['ratio']:.1f}x its SQL ({m['sql'] * 1000:.1f} ms, {len(m['statements'])} "
            "queries)",
        )
    ]


def run(args: argparse.Namespace) -> None:
    m = measure(args)
    total = (args.others + 1) * args.lines * args.snapshots
    print(
        f"pages: order {m['code']} with {args.lines} lines x {args.snapshots} snapshots "
        f"({args.lines * args.snapshots:,} rows) among {args.others} more such orders of another "
        f"client ({total:,} snapshots in all; loaded in {m['loading']:.1f} s), database "
        f"{connection.settings_dict['NAME']}; Django test Client in-process, {args.warmup} "
        f"warm-up + {args.r} timed requests per page\n"
    )
    body, statements, page, minimal = m["body"], m["statements"], m["page"], m["minimal"]
    median, sql, ratio, order_url = m["median"], m["sql"], m["ratio"], m["url"]
    if args.save:
        Path(args.save).write_bytes(body)
    rows = [
        (
            "before (issue 13)",
            f"{BEFORE['median_ms']:.0f}",
            "",
            f"{BEFORE['kb']:.0f}",
            "",
            BEFORE["queries"],
            f"~{BEFORE['sql_ms']:.0f}",
            f"{BEFORE['ratio']:.0f}x",
        ),
        (
            f"now: GET {order_url}",
            f"{median * 1000:.1f}",
            f"{min(page) * 1000:.1f}-{max(page) * 1000:.1f}",
            f"{len(body) / 1000:.1f}",
            f"{m['gzipped'] / 1000:.1f}" if m["gzipped"] else "",
            len(statements),
            f"{sql * 1000:.1f}",
            f"{ratio:.1f}x",
        ),
        (
            "GET /bench/ok/ (the stack alone)",
            f"{statistics.median(minimal) * 1000:.1f}",
            "",
            "",
            "",
            0,
            "",
            "",
        ),
    ]
    print(
        common.table(
            ["page", "median ms", "min-max ms", "KB", "gzip KB", "queries", "SQL ms", "page/SQL"],
            rows,
        )
    )
    print(
        "\nKB: the body as served (1 KB = 1,000 bytes); gzip KB: what the page sends a browser "
        "that accepts gzip (gzip_page). SQL ms: the page's statements re-run on their own, rows "
        "fetched, right after each timed request; page/SQL: the median of those pairs' ratios. "
        "Target (issue 13): page <= 3x its SQL, <= 100 KB."
    )
    print("\norder page statements (median of the re-runs not shown; see SQL ms):")
    for statement in statements:
        print(f"  {statement[:150]}")
    (downsampling,) = [s for s in statements if "LEAD(" in s]
    print(f"\nEXPLAIN ANALYZE of the chart downsampling query:\n{explain(downsampling)}")
