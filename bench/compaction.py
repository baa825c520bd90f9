"""``compaction``: the snapshot table before and after ``services.compact_snapshots``.

``--boosts`` settled boosts (nothing owed, closed: final), each with an hourly snapshot through
its 14-day window (337 rows, the last at the window end, which its settlement references as the
closing snapshot). 80 % of the windows ended 100 to 400 days ago (old: compacted), 20 % in the
last 60 days (recent: left alone). Loaded with COPY, not timed.

Prints, before and after one run of the service (what the daily Celery task runs): the rows, the
rows per boost (old and recent), and the table's size with its indexes (``pg_total_relation_size``
of a fresh copy of the live rows with the same indexes: what the rows need, as ``VACUUM FULL``
would leave it when no other session holds back the cleanup horizon);
the time of the run and of a second run (idempotent: it removes nothing); whether every
settlement still finds the snapshot it names, with its views, and whether that snapshot is still
the line's closing one (``counted_snapshots``); and the ``EXPLAIN`` of one batch's DELETE.
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from orders.models import Boost, Client, Influencer, Order, OrderLine, ViewSnapshot
from settlements import services
from settlements.models import Settlement
from settlements.services.compaction import compaction_cutoff, removable, settled_lines

from . import common

NAME = "compaction"
HELP = "snapshot table size per boost before and after compacting settled boosts' old snapshots"

LINES_PER_ORDER = 100
HOURS = 14 * 24
OLD_SHARE = 0.8


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--boosts", type=int, default=2_000, help="settled boosts (default 2000: 674,000 rows)"
    )
    parser.add_argument("--seed", type=int, default=20261202)


def load(n: int, seed: int, now) -> set[int]:
    """The data set of the module docstring; returns the ids of the old boosts."""
    common.reset_data()
    rng = random.Random(seed)
    client = Client(id=1, code="bench-compaction", name="客户")
    influencers = common.influencers(LINES_PER_ORDER, Decimal("1000.00"))
    orders, lines, boosts, settlements, snapshots = [], [], [], [], []
    old = set()
    for pk in range(1, n + 1):
        if rng.random() < OLD_SHARE:
            age = timedelta(days=rng.uniform(100, 400))
            old.add(pk)
        else:
            age = timedelta(days=rng.uniform(1, 60))
        window_end = (now - age).replace(minute=0, second=0, microsecond=0)
        window_start = window_end - timedelta(hours=HOURS)
        o = (pk - 1) // LINES_PER_ORDER + 1
        if o > len(orders):
            orders.append(
                Order(
                    id=o,
                    code=f"C{o}",
                    client_id=1,
                    idempotency_key=f"bench-{o}",
                    placed_at=window_start - timedelta(days=1),
                )
            )
        influencer_id = (pk - 1) % LINES_PER_ORDER + 1
        lines.append(common.order_line(pk, o, influencer_id, Decimal("1000.00"), window_start))
        boosts.append(
            common.boost(
                pk,
                Boost.Status.SUCCEEDED,
                (20_000, Decimal("0.10"), Decimal("100.00")),
                quoted_at=window_start - timedelta(days=1),
                window=(window_start, window_end),
                status_changed_at=window_end,
            )
        )
        for h in range(HOURS + 1):
            snapshots.append(
                ViewSnapshot(
                    id=len(snapshots) + 1,
                    line_id=pk,
                    observed_at=window_start + timedelta(hours=h),
                    views=100 * h,
                    received_at=window_start + timedelta(hours=h),
                )
            )
        settlements.append(
            Settlement(
                id=pk,
                boost_id=pk,
                kind="none",
                status="closed",
                expected_views=20_000,
                actual_views=100 * HOURS,
                snapshot_id=len(snapshots),
                snapshot_observed_at=window_end,
                fixed_price=Decimal("1000.00"),
                boost_fee=Decimal("100.00"),
                expected_cpm=Decimal("55.0000"),
                raw_amount=Decimal(0),
                cap_applied=False,
                amount=Decimal("0.00"),
                formula_version="v1",
                computed_at=window_end + timedelta(minutes=5),
                service_ended_at=window_end,
                due_date=window_end.date(),
                due_date_provisional=False,
                note="",
            )
        )
    common.copy_all(
        [
            (Client, [client]),
            (Influencer, influencers),
            (Order, orders),
            (OrderLine, lines),
            (Boost, boosts),
            (ViewSnapshot, snapshots),
            (Settlement, settlements),
        ]
    )
    common.analyze()
    return old


def measure(old: set[int]) -> dict[str, object]:
    """Rows, rows per boost (old, recent) and the table's size once rewritten."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT line_id, count(*) FROM orders_viewsnapshot GROUP BY line_id")
        per_line = dict(cursor.fetchall())
        # A fresh copy with the same indexes: what the live rows need. VACUUM FULL would keep
        # rows a transaction in any other session might still see (other benches, other runs).
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_snapshot_copy "
            "(LIKE orders_viewsnapshot INCLUDING INDEXES INCLUDING CONSTRAINTS)"
        )
        cursor.execute("INSERT INTO bench_snapshot_copy SELECT * FROM orders_viewsnapshot")
        cursor.execute("SELECT pg_total_relation_size('bench_snapshot_copy')")
        size = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_snapshot_copy")
    olds = [per_line.get(pk, 0) for pk in old]
    recent = [count for pk, count in per_line.items() if pk not in old]
    rows = sum(per_line.values())
    return {
        "rows": rows,
        "old": (min(olds), max(olds)) if olds else (0, 0),
        "recent": (min(recent), max(recent)) if recent else (0, 0),
        "bytes": size,
        "bytes per boost": size / max(len(per_line), 1),
    }


def explained() -> bool:
    """Whether every settlement still finds its snapshot, with its views, as the closing one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM settlements_settlement st "
            "JOIN orders_boost b ON b.id = st.boost_id "
            "LEFT JOIN orders_viewsnapshot s ON s.id = st.snapshot_id "
            "WHERE s.id IS NULL OR s.views <> st.actual_views OR s.id <> ("
            "  SELECT c.id FROM orders_viewsnapshot c WHERE c.line_id = b.line_id "
            "  AND c.observed_at <= b.window_end ORDER BY c.observed_at DESC LIMIT 1)"
        )
        return cursor.fetchone()[0] == 0


def explain_batch(now) -> str:
    """The plan of the first batch's DELETE, as the service runs it."""
    lines = settled_lines(after_id=0, limit=200)
    select, params = (
        removable(lines, cutoff=compaction_cutoff(now)).values("pk").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN DELETE FROM orders_viewsnapshot WHERE id IN ({select})", params)
        return "\n".join(f"    {row[0]}" for row in cursor.fetchall())


def run(args: argparse.Namespace) -> None:
    now = timezone.now()
    print(
        f"compaction: {args.boosts:,} settled boosts x {HOURS + 1} hourly snapshots, "
        f"{OLD_SHARE:.0%} of windows ended 100-400 days ago; database "
        f"{connection.settings_dict['NAME']}\n"
    )
    with common.timed() as loading:
        old = load(args.boosts, args.seed, now)
    print(f"  loaded in {loading[0]:.0f} s (not timed)", flush=True)
    before = measure(old)
    plan = explain_batch(now)
    with common.timed() as first:
        counts = services.compact_snapshots(now=now)
    with common.timed() as second:
        again = services.compact_snapshots(now=now)
    after = measure(old)
    still = explained()

    def row(label: str, m: dict[str, object]) -> tuple[str, ...]:
        lo, hi = m["old"]
        rlo, rhi = m["recent"]
        return (
            label,
            f"{m['rows']:,}",
            f"{lo}-{hi}",
            f"{rlo}-{rhi}",
            f"{m['bytes'] / 1e6:.1f} MB",
            f"{m['bytes per boost'] / 1e3:.1f} KB",
        )

    print()
    print(
        common.table(
            ["table", "rows", "rows/old boost", "rows/recent boost", "size", "size/boost"],
            [row("before", before), row("after", after)],
        )
    )
    print()
    print(
        f"  first run: {first[0]:.2f} s, {counts['removed']:,} rows removed in "
        f"{counts['batches']} batches ({counts['removed'] / first[0]:,.0f} rows/s)"
    )
    print(f"  second run: {second[0]:.2f} s, {again['removed']:,} removed (idempotent)")
    print(
        "  every settlement still finds its snapshot, with its views, as the closing one: "
        + ("yes" if still else "NO")
    )
    print("\n  EXPLAIN of one batch's DELETE (200 lines):")
    print(plan)
    if not still or again["removed"]:
        raise SystemExit("compaction removed a snapshot a settlement needs, or was not idempotent")
