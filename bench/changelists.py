"""``changelists``: the admin changelists of boosts, settlements, snapshots and the ledger at scale.

For each size N of ``--sizes`` (default 10,000 and 1,000,000 boosts): N boosts on N order lines
(10 lines per order, 200 clients, 2,000 influencers), ``--snapshots`` view snapshots per
published boost (default 10: 9.5 million at a million boosts), a settlement for each of the 85 %
terminal boosts and a ledger entry per order and per paid settlement, loaded with COPY
(generators, so a size never sits in memory; not timed) and ANALYZEd.

Each changelist page, unfiltered and with a filter on an indexed or low-cardinality field, is
served in-process by Django's test ``Client`` to a superuser: one warm-up, then the median of
``--r`` requests, with its statement count and the slowest statement. "Django default" is the same
page with Django's own paginator and ``show_full_result_count = True`` (what the admin did before),
timed once: its ``COUNT(*)`` over the whole table is what grows. At the largest size the
``EXPLAIN (ANALYZE)`` plan of each page's statements slower than a millisecond follows.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from kernel.paging import COUNT_CAP
from orders import models
from settlements.models import Settlement, ShortfallCause

from . import common

NAME = "changelists"
HELP = "admin changelists of boosts, settlements, snapshots, ledger at 10k and 1M boosts"

CLIENTS, INFLUENCERS, LINES_PER_ORDER = 200, 2_000, 10
PAGES = (
    ("boosts", "/admin/orders/boost/", ""),
    ("boosts", "/admin/orders/boost/", "?status__exact=active"),
    ("settlements", "/admin/settlements/settlement/", ""),
    ("settlements", "/admin/settlements/settlement/", "?status__exact=paid"),
    ("snapshots", "/admin/orders/viewsnapshot/", ""),
    ("snapshots", "/admin/orders/viewsnapshot/", "?line__boost__status__exact=active"),
    ("ledger entries", "/admin/orders/ledgerentry/", ""),
    ("ledger entries", "/admin/orders/ledgerentry/", "?kind__exact=compensation"),
)
MODELS = {
    "boosts": models.Boost,
    "settlements": Settlement,
    "snapshots": models.ViewSnapshot,
    "ledger entries": models.LedgerEntry,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        default="10000,1000000",
        help="boost counts, comma separated (default 10000,1000000)",
    )
    parser.add_argument(
        "--snapshots", type=int, default=10, help="view snapshots per boost (default 10)"
    )
    parser.add_argument("--r", type=int, default=5, help="timed requests per page (default 5)")


def _status(pk: int) -> str:
    """Boost pk -> status: 10 % active, 5 % awaiting publish, the rest terminal."""
    draw = pk % 20
    if draw < 2:
        return models.Boost.Status.ACTIVE
    if draw < 3:
        return models.Boost.Status.AWAITING_PUBLISH
    if draw < 4:
        return models.Boost.Status.CANCELLED
    return models.Boost.Status.SUCCEEDED if draw < 13 else models.Boost.Status.COMPENSATED


def load(n: int, per_boost: int, now) -> dict[str, int]:
    """The data set of the module docstring; returns the rows of each table."""
    common.reset_data()
    start = now - timedelta(days=400)
    step = timedelta(days=380) / max(1, n)
    price, fee = Decimal("10000.00"), Decimal("2500.00")
    published = [s != models.Boost.Status.AWAITING_PUBLISH for s in map(_status, range(n + 1))]

    def window(pk: int):
        window_start = start + step * pk
        return window_start, window_start + timedelta(days=14)

    def orders() -> Iterator[models.Order]:
        for o in range(1, -(-n // LINES_PER_ORDER) + 1):
            yield models.Order(
                id=o,
                code=f"C{o}",
                client_id=(o - 1) % CLIENTS + 1,
                idempotency_key=f"c{o}",
                placed_at=start + step * (o - 1) * LINES_PER_ORDER - timedelta(days=1),
            )

    def lines() -> Iterator[models.OrderLine]:
        for pk in range(1, n + 1):
            published_at = window(pk)[0] if published[pk] else None
            order_id = (pk - 1) // LINES_PER_ORDER + 1
            yield common.order_line(pk, order_id, pk % INFLUENCERS + 1, price, published_at)

    def boosts() -> Iterator[models.Boost]:
        for pk in range(1, n + 1):
            window_start, window_end = window(pk) if published[pk] else (None, None)
            quoted = start + step * pk - timedelta(days=1)
            yield common.boost(
                pk,
                _status(pk),
                (100_000, Decimal("0.25"), fee),
                quoted_at=quoted,
                window=(window_start, window_end),
                status_changed_at=window_end or quoted,
            )

    def snapshots() -> Iterator[models.ViewSnapshot]:
        ids = itertools.count(1)
        for pk in range(1, n + 1):
            if not published[pk]:
                continue
            window_start = window(pk)[0]
            for h in range(1, per_boost + 1):
                at = window_start + timedelta(hours=h * 30)
                yield models.ViewSnapshot(
                    id=next(ids), line_id=pk, observed_at=at, views=1_000 * h, received_at=at
                )

    def kind_of(pk: int) -> str:
        return {"cancelled": "refund", "succeeded": "none"}.get(_status(pk), "compensation")

    # Every settlement owing money is paid but one in seven (scheduled); each paid one has its
    # ledger credit, numbered after the order charges.
    orders_count = -(-n // LINES_PER_ORDER)
    paid = [
        pk
        for pk in range(1, n + 1)
        if _status(pk) in models.Boost.TERMINAL and kind_of(pk) != "none" and pk % 7
    ]
    entry_of = {pk: orders_count + k for k, pk in enumerate(paid, start=1)}

    def settlements() -> Iterator[Settlement]:
        for pk in range(1, n + 1):
            status = _status(pk)
            if status not in models.Boost.TERMINAL:
                continue
            window_start, window_end = window(pk)
            computed = (window_end or start) + timedelta(hours=1)
            kind = kind_of(pk)
            amount = Decimal("0.00") if kind == "none" else fee
            state = "closed" if kind == "none" else "paid" if pk in entry_of else "scheduled"
            yield Settlement(
                id=pk,
                boost_id=pk,
                kind=kind,
                status=state,
                expected_views=100_000,
                actual_views=None if kind == "refund" else 60_000,
                snapshot_observed_at=None,
                fixed_price=price,
                boost_fee=fee,
                expected_cpm=Decimal("125.0000"),
                raw_amount=None if kind == "refund" else fee,
                cap_applied=False,
                amount=amount,
                formula_version="v1",
                computed_at=computed,
                service_ended_at=window_end or computed,
                due_date=(computed + timedelta(days=9)).date(),
                due_date_provisional=False,
                note="",
                cause=ShortfallCause.NATURAL if kind == "compensation" else "",
                paid_at=computed + timedelta(days=8) if state == "paid" else None,
                ledger_entry_id=entry_of.get(pk),
            )

    def entries() -> Iterator[models.LedgerEntry]:
        for order in orders():
            yield models.LedgerEntry(
                id=order.id,
                client_id=order.client_id,
                kind=models.LedgerKind.ORDER_CHARGE,
                amount=-(price + fee) * LINES_PER_ORDER,
                balance_after=Decimal("0.00"),
                idempotency_key=f"order:{order.id}",
                order_id=order.id,
                created_at=order.placed_at,
            )
        for pk in paid:
            yield models.LedgerEntry(
                id=entry_of[pk],
                client_id=((pk - 1) // LINES_PER_ORDER) % CLIENTS + 1,
                kind=models.LedgerKind.REFUND
                if _status(pk) == "cancelled"
                else models.LedgerKind.COMPENSATION,
                amount=fee,
                balance_after=fee,
                idempotency_key=f"settlement:{pk}:payout",
                order_id=(pk - 1) // LINES_PER_ORDER + 1,
                boost_id=pk,
                created_at=window(pk)[1] + timedelta(days=8),
            )

    plan = [
        (models.Client, common.clients(CLIENTS)),
        (models.Influencer, common.influencers(INFLUENCERS, price)),
        (models.Order, orders()),
        (models.OrderLine, lines()),
        (models.Boost, boosts()),
        (models.ViewSnapshot, snapshots()),
        (models.LedgerEntry, entries()),
        (Settlement, settlements()),
    ]
    counts = common.copy_all(plan)
    common.analyze()
    return {model._meta.verbose_name_plural: count for model, count in counts.items()}


@contextmanager
def django_default() -> Iterator[None]:
    """The four admins as Django counts by default: every row, and every row again unfiltered."""
    saved = []
    for model in MODELS.values():
        model_admin = admin.site._registry[model]
        saved.append((model_admin, model_admin.paginator, model_admin.show_full_result_count))
        model_admin.paginator = Paginator
        model_admin.show_full_result_count = True
    try:
        yield
    finally:
        for model_admin, paginator, full in saved:
            model_admin.paginator = paginator
            model_admin.show_full_result_count = full


def explain(statement: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


def run(args: argparse.Namespace) -> None:
    sizes = [int(size) for size in args.sizes.split(",")]
    user = get_user_model().objects.create_superuser("bench-admin", password=None)
    print(
        f"changelists: {', '.join(f'{n:,}' for n in sizes)} boosts with {args.snapshots} "
        f"snapshots each, database {connection.settings_dict['NAME']}; Django test Client "
        f"in-process as a superuser, 1 warm-up + median of {args.r} requests (Django default: "
        "once)\n",
        flush=True,
    )
    rows, plans = [], []
    for n in sizes:
        with common.timed() as loading:
            counts = load(n, args.snapshots, timezone.now())
        print(
            f"N = {n:,}: "
            + ", ".join(f"{name} {count:,}" for name, count in counts.items())
            + f" (loaded in {loading[0]:.0f} s)",
            flush=True,
        )
        browser = TestClient()
        browser.force_login(user)
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            for name, path, query in PAGES:
                url = path + query
                common.get(browser, url)
                seen = [common.get(browser, url)[0] for _ in range(args.r)]
                with CaptureQueriesContext(connection) as queries:
                    common.get(browser, url)
                statements = [(float(q["time"]), q["sql"]) for q in queries.captured_queries]
                with django_default():
                    before, _response = common.get(browser, url)
                slowest = max(statements)
                rows.append(
                    (
                        f"{n:,}",
                        name,
                        query or "(all)",
                        f"{statistics.median(seen) * 1000:.1f}",
                        len(statements),
                        f"{slowest[0] * 1000:.1f}",
                        f"{before * 1000:.0f}",
                    )
                )
                print(f"  {name} {query or '(all)'}: done", flush=True)
                if n == sizes[-1]:
                    plans.append((url, [s for s in statements if s[0] >= 0.001]))
    print()
    print(
        common.table(
            [
                "boosts",
                "changelist",
                "filter",
                "median ms",
                "queries",
                "slowest SQL ms",
                "Django default ms",
            ],
            rows,
        )
    )
    print(
        "\nDjango default: the same page with Django's Paginator and show_full_result_count=True, "
        "timed once. Now: kernel.paging.CappedCountPaginator (the planner's estimate unfiltered, "
        f"at most {COUNT_CAP:,} rows counted filtered), no full count."
    )
    for url, slow in plans:
        print(f"\nGET {url} at N = {sizes[-1]:,}: statements over 1 ms")
        for seconds, statement in slow:
            print(f"  {seconds * 1000:.1f} ms  {statement[:160]}")
            print(explain(statement))
