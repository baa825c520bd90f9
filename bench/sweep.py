"""``sweep``: close_windows + pay_due over N due boosts, the services against a set-based SQL floor.

For each N (``--n2`` then ``--n``) the same data set is loaded twice from one seed (loading is not
timed; the small one ``--repeat`` times, its median run kept): N published boosts whose 14-day
window ended between 1 Sep and 31 Oct 2026, 99 % with a fresh closing snapshot (a mix of views
above E, short of E, and short enough for the cap) and a later snapshot that must not count, 1 %
with only a stale one (they wait in awaiting_views); 100 boosts per client, 10 per order, each
client's ledger holding its top-up and order debits.

1. The services, exactly as the Celery tasks run them: ``sweep(close_windows_batch)`` then
   ``sweep(pay_batch)``, batches of ``--batch`` rows, each batch its own transaction.
2. The SQL floor: the same outcome in four set-based statements (``CLOSE_*`` and ``PAY`` below)
   and two transactions, with no per-batch locking and no Python per row. Due dates are the one
   input SQL cannot derive: they are computed by ``settlements.calendar`` once per distinct
   window-end date (about 60) and joined in.

Statistics are gathered once after loading, while the settlements table is still empty, as on a
fresh deploy or when a backlog builds up faster than autovacuum re-analyzes: the planner's choices
under that condition are part of what is measured.

The floor writes everything the services write, the outbox included (a ``ClientEvent`` per
settled and per paid boost). Both runs must leave identical rows: boosts' statuses, settlements
with every money field, settlement and boost events, ledger credits with their running balances,
client events; the run stops if not. Queries per batch are counted separately with
``CaptureQueriesContext`` on every batch of a smaller data set, at two batch sizes. The plans
(``EXPLAIN ANALYZE``, rolled back) of both sweeps' due-row selection, as the first batch runs it
at the larger N, are printed: closing's before it runs, paying's after closing.

``run`` (and ``headline``, for the summary) returns the headline rows for issue 13's table,
(row label, new figure) pairs:
``("close + pay, 10,000 due boosts", "2.10 s, 2.6x floor (0.80 s)")`` per N, then
``("close + pay, time(100,000) / time(10,000)", "10.40 (floor 10.10)")`` when there are two.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import (
    Boost,
    BoostEvent,
    Client,
    ClientEvent,
    Influencer,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderLine,
    ViewSnapshot,
)
from settlements import calculations, calendar, services
from settlements.models import Settlement, SettlementEvent
from settlements.selectors import calendar_overrides, completed_calendar_years
from settlements.services import closing, payouts, planning

from . import common

NAME = "sweep"
HELP = "close_windows + pay_due over N due boosts: services vs a set-based SQL floor"

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
FIRST_WINDOW_END = datetime(2026, 9, 1, 0, 0, tzinfo=SHANGHAI)
WINDOW_END_SPREAD = timedelta(days=60)
BOOSTS_PER_CLIENT, LINES_PER_ORDER = 100, 10
STALE_SHARE = 0.01
QUERY_COUNT_N = 2_500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=100_000, help="large data set (default 100000)")
    parser.add_argument("--n2", type=int, default=10_000, help="small data set (default 10000)")
    parser.add_argument("--batch", type=int, default=500, help="rows per batch (default 500)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the small data set, the median kept (default 3)",
    )


# --- The data set ----------------------------------------------------------------------------


def load(n: int, seed: int) -> None:
    """n due boosts as described in the module docstring, loaded with COPY; ids start at 1."""
    common.reset_data()
    rng = random.Random(seed + n)
    clients = [
        Client(id=c, code=f"bench-{c}", name=f"客户{c}")
        for c in range(1, max(1, n // BOOSTS_PER_CLIENT) + 1)
    ]
    influencers = [
        Influencer(id=i, platform_id=f"bench_{i}", name=f"达人{i}", fixed_price=Decimal("1000.00"))
        for i in range(1, min(n, 1000) + 1)
    ]
    orders, lines, boosts, snapshots, events, entries = [], [], [], [], [], []
    balances = {c.id: Decimal("100000000.00") for c in clients}
    for c in clients:
        entries.append(
            LedgerEntry(
                client_id=c.id,
                kind=LedgerKind.TOP_UP,
                amount=balances[c.id],
                balance_after=balances[c.id],
                idempotency_key=f"bench-top-up-{c.id}",
                reason="bench",
                created_at=FIRST_WINDOW_END - timedelta(days=90),
            )
        )
    order_count = -(-n // LINES_PER_ORDER)
    window_ends = sorted(
        FIRST_WINDOW_END + WINDOW_END_SPREAD * rng.random() for _ in range(order_count)
    )
    for o, window_end in enumerate(window_ends, start=1):
        published = window_end - timedelta(days=settings.BOOST_WINDOW_DAYS)
        placed = published - timedelta(days=20 * rng.random())
        client_id = clients[(o - 1) % len(clients)].id
        orders.append(
            Order(
                id=o,
                code=f"B{o}",
                client_id=client_id,
                idempotency_key=f"bench-{o}",
                placed_at=placed,
            )
        )
        for k in range(min(LINES_PER_ORDER, n - len(lines))):
            line_id = len(lines) + 1
            price, ratio, fee, expected = common.random_quote(rng)
            lines.append(
                OrderLine(
                    id=line_id,
                    order_id=o,
                    influencer_id=influencers[(o * LINES_PER_ORDER + k) % len(influencers)].id,
                    fixed_price=price,
                    platform_video_id=f"bv{line_id}",
                    published_at=published,
                )
            )
            boosts.append(
                Boost(
                    id=line_id,
                    line_id=line_id,
                    status=Boost.Status.ACTIVE,
                    expected_views=expected,
                    premium_ratio=ratio,
                    boost_fee=fee,
                    loss_ratio=Decimal("0.3000"),
                    quote={"bench": True, "expected_views": expected, "premium_ratio": str(ratio)},
                    quoted_at=placed,
                    valid_until=placed + timedelta(days=30),
                    window_start=published,
                    window_end=window_end,
                    status_changed_at=published,
                )
            )
            for at, to, note in (
                (placed, "awaiting_publish", "Ordered"),
                (published, "active", ""),
            ):
                events.append(BoostEvent(boost_id=line_id, to_status=to, note=note, at=at))
            stale = rng.random() < STALE_SHARE
            closing = window_end - (
                timedelta(days=2) if stale else timedelta(hours=23 * rng.random())
            )
            views = int(expected * rng.uniform(0.5, 1.2))
            for at, seen in ((closing, views), (window_end + timedelta(days=1), views + 5_000)):
                snapshots.append(
                    ViewSnapshot(line_id=line_id, observed_at=at, views=seen, received_at=at)
                )
            for kind, amount, key in (
                (LedgerKind.ORDER_CHARGE, -price, f"order-line:{line_id}:price"),
                (LedgerKind.BOOST_FEE, -fee, f"boost:{line_id}:fee"),
            ):
                balances[client_id] += amount
                entries.append(
                    LedgerEntry(
                        client_id=client_id,
                        kind=kind,
                        amount=amount,
                        balance_after=balances[client_id],
                        idempotency_key=key,
                        order_id=o,
                        boost_id=line_id if kind == LedgerKind.BOOST_FEE else None,
                        created_at=placed,
                    )
                )
    for numbered in (entries, snapshots, events):
        for pk, row in enumerate(numbered, start=1):
            row.id = pk
    models = [Client, Influencer, Order, OrderLine, Boost, BoostEvent, ViewSnapshot, LedgerEntry]
    rows = [clients, influencers, orders, lines, boosts, events, snapshots, entries]
    for model, objects in zip(models, rows, strict=True):
        common.copy_rows(model, objects)
    common.reset_sequences(models)
    common.analyze()


# --- The SQL floor ---------------------------------------------------------------------------

# The closing snapshot of every due boost: the latest observed at or before window end (§5).
CLOSE_CANDIDATES = """
CREATE TEMP TABLE bench_closing ON COMMIT DROP AS
SELECT DISTINCT ON (b.id)
       b.id AS boost_id, b.status, b.expected_views AS e, b.boost_fee AS f, l.fixed_price AS p,
       b.window_end, s.id AS snapshot_id, s.observed_at, s.views AS a,
       coalesce(s.observed_at >= b.window_end - make_interval(hours => %(fresh_hours)s), false)
           AS fresh
FROM orders_boost b
JOIN orders_orderline l ON l.id = b.line_id
LEFT JOIN orders_viewsnapshot s ON s.line_id = b.line_id AND s.observed_at <= b.window_end
WHERE b.status IN ('active', 'awaiting_views') AND b.window_end <= %(now)s
ORDER BY b.id, s.observed_at DESC
"""

# DESIGN §6 in numeric arithmetic. Dividing by E cast to scale 20 keeps 20 decimals, far below
# any distance between a quotient with denominator 100·E and a rounding tie, so PostgreSQL's
# round() (half away from zero) gives exactly the half-up result of the exact fractions. The cap
# test compares integers·money, with no division at all.
CLOSE_SETTLE = """
WITH calc AS (
    SELECT c.*, greatest(c.e - c.a, 0) AS shortfall,
           greatest(c.e - c.a, 0) * (c.p + c.f) / c.e::numeric(40, 20) AS raw
    FROM bench_closing c
    WHERE c.fresh
), inserted AS (
    INSERT INTO settlements_settlement (
        boost_id, kind, status, expected_views, actual_views, snapshot_id, snapshot_observed_at,
        fixed_price, boost_fee, expected_cpm, raw_amount, cap_applied, amount, formula_version,
        computed_at, service_ended_at, due_date, due_date_provisional, note, cause
    )
    SELECT calc.boost_id,
           CASE WHEN calc.a < calc.e THEN 'compensation' ELSE 'none' END,
           CASE WHEN round(least(calc.raw, calc.f), 2) > 0 THEN 'scheduled' ELSE 'closed' END,
           calc.e, calc.a, calc.snapshot_id, calc.observed_at, calc.p, calc.f,
           round((calc.p + calc.f) * 1000 / calc.e::numeric(40, 20), 4),
           round(calc.raw, 6),
           calc.shortfall * (calc.p + calc.f) > calc.f * calc.e,
           round(least(calc.raw, calc.f), 2),
           %(formula)s, %(now)s, calc.window_end, d.due, d.provisional, '',
           -- the bench's videos stay live: every shortfall is natural (DESIGN §5)
           CASE WHEN calc.a < calc.e THEN 'natural' ELSE '' END
    FROM calc
    JOIN bench_due d ON d.day = (calc.window_end AT TIME ZONE %(tz)s)::date
    ORDER BY calc.boost_id
    RETURNING id, boost_id, kind, status, amount, due_date, due_date_provisional, expected_views,
              actual_views, cap_applied
), events AS (
    INSERT INTO settlements_settlementevent (settlement_id, type, actor_name, at, data)
    SELECT id, CASE status WHEN 'scheduled' THEN 'scheduled' ELSE 'closed' END, 'system', %(now)s,
           jsonb_build_object('kind', kind, 'amount', amount::text,
                              'due_date', to_char(due_date, 'YYYY-MM-DD'),
                              'provisional', due_date_provisional)
    FROM inserted
    ORDER BY id
)
INSERT INTO orders_clientevent (
    client_id, type, key, boost_id, settlement_id, payload, occurred_at
)
SELECT o.client_id, 'boost.settled', 'boost:' || i.boost_id || ':settled', i.boost_id, i.id,
       jsonb_build_object(
           'status', CASE i.kind WHEN 'compensation' THEN 'compensated' ELSE 'succeeded' END,
           'kind', i.kind, 'amount', i.amount::text,
           'due_date', to_char(i.due_date, 'YYYY-MM-DD'),
           'due_date_provisional', i.due_date_provisional, 'expected_views', i.expected_views,
           'actual_views', i.actual_views, 'cap_applied', i.cap_applied),
       %(now)s
FROM inserted i
JOIN orders_boost b ON b.id = i.boost_id
JOIN orders_orderline l ON l.id = b.line_id
JOIN orders_order o ON o.id = l.order_id
ORDER BY i.id
"""

# Settled boosts move to succeeded/compensated; active ones without fresh data to awaiting_views.
CLOSE_TRANSITIONS = """
WITH moved AS (
    SELECT boost_id, status AS from_status,
           CASE WHEN NOT fresh THEN 'awaiting_views'
                WHEN a < e THEN 'compensated' ELSE 'succeeded' END AS to_status,
           CASE WHEN fresh THEN %(closed_note)s ELSE %(stale_note)s END AS note
    FROM bench_closing
    WHERE fresh OR status = 'active'
), events AS (
    INSERT INTO orders_boostevent (boost_id, from_status, to_status, actor_name, note, at)
    SELECT boost_id, from_status, to_status, 'system', note, %(now)s FROM moved ORDER BY boost_id
)
UPDATE orders_boost b SET status = moved.to_status, status_changed_at = %(now)s
FROM moved
WHERE moved.boost_id = b.id
"""

# One credit per scheduled settlement; each client's running balance continues from its latest
# entry in settlement id order, as the batches post them; the settlement points at its credit.
PAY = """
WITH due AS (
    SELECT s.id, s.kind, s.amount, s.boost_id, l.order_id, o.client_id
    FROM settlements_settlement s
    JOIN orders_boost b ON b.id = s.boost_id
    JOIN orders_orderline l ON l.id = b.line_id
    JOIN orders_order o ON o.id = l.order_id
    WHERE s.status = 'scheduled'
), opening AS (
    SELECT c.client_id,
           (SELECT e.balance_after FROM orders_ledgerentry e
            WHERE e.client_id = c.client_id ORDER BY e.id DESC LIMIT 1) AS balance
    FROM (SELECT DISTINCT client_id FROM due) c
), credits AS (
    INSERT INTO orders_ledgerentry (
        client_id, kind, amount, balance_after, idempotency_key, order_id, boost_id, reason,
        created_at
    )
    SELECT due.client_id, due.kind, due.amount,
           coalesce(opening.balance, 0)
               + sum(due.amount) OVER (PARTITION BY due.client_id ORDER BY due.id),
           'settlement:' || due.id || ':payout', due.order_id, due.boost_id,
           'Settlement ' || due.id || ' (' || due.kind || ')', %(now)s
    FROM due
    LEFT JOIN opening USING (client_id)
    ORDER BY due.id
    RETURNING id, boost_id, client_id
), paid AS (
    UPDATE settlements_settlement s
    SET status = 'paid', paid_at = %(now)s, ledger_entry_id = credits.id
    FROM credits
    WHERE credits.boost_id = s.boost_id
    RETURNING s.id, s.kind, s.amount, s.boost_id, s.ledger_entry_id, credits.client_id
), events AS (
    INSERT INTO settlements_settlementevent (settlement_id, type, actor_name, at, data)
    SELECT id, 'paid', 'system', %(now)s,
           jsonb_build_object('amount', amount::text, 'ledger_entry', ledger_entry_id)
    FROM paid
    ORDER BY id
)
INSERT INTO orders_clientevent (
    client_id, type, key, boost_id, settlement_id, payload, occurred_at
)
SELECT client_id, 'settlement.paid', 'settlement:' || id || ':paid', boost_id, id,
       jsonb_build_object('kind', kind, 'amount', amount::text, 'ledger_entry', ledger_entry_id),
       %(now)s
FROM paid
ORDER BY id
"""


def sql_floor(now: datetime) -> None:
    """close_windows then pay_due as set-based SQL: the lower bound for the same rows."""
    params = {
        "now": now,
        "tz": settings.TIME_ZONE,
        "fresh_hours": settings.SNAPSHOT_FRESHNESS_HOURS,
        "formula": calculations.FORMULA_VERSION,
        "stale_note": _("No fresh view data at window end"),
        "closed_note": _("Window closed"),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CLOSE_CANDIDATES, params)
        cursor.execute(
            "SELECT DISTINCT (window_end AT TIME ZONE %(tz)s)::date FROM bench_closing WHERE fresh",
            params,
        )
        days = [day for (day,) in cursor.fetchall()]
        years = {day.year for day in days}
        overrides = calendar_overrides(years | {y + 1 for y in years})
        cursor.execute(
            "CREATE TEMP TABLE bench_due (day date PRIMARY KEY, due date, provisional boolean) "
            "ON COMMIT DROP"
        )
        complete = completed_calendar_years()
        n = settings.SETTLEMENT_DUE_BUSINESS_DAYS
        due = [calendar.due_date(d, n, overrides, complete_years=complete) for d in days]
        cursor.execute(
            "INSERT INTO bench_due SELECT * FROM unnest(%s::date[], %s::date[], %s::boolean[])",
            [days, [d.date for d in due], [d.provisional for d in due]],
        )
        cursor.execute(CLOSE_SETTLE, params)
        cursor.execute(CLOSE_TRANSITIONS, params)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PAY, params)


def median_run(runs: list[tuple]) -> tuple:
    """The run whose services time is the median, with the median floor of all runs beside it.

    A small data set sweeps in a few seconds, where this machine's run-to-run spread (about
    10 %) would decide a linearity ratio on its own; its median over ``--repeat`` runs does not.
    """
    by_services = sorted(runs, key=lambda run: run[1] + run[2])
    n, close_s, pay_s, _floor, closed, paid, _found = by_services[len(runs) // 2]
    floor_s = sorted(run[3] for run in runs)[len(runs) // 2]
    return n, close_s, pay_s, floor_s, closed, paid, [f for run in runs for f in run[6]]


def services_sweep(
    now: datetime, limit: int, between: Callable[[], None] = lambda: None
) -> tuple[float, float, dict, dict]:
    """The services as ``settlements.tasks`` run them; returns both durations and counts.

    ``between`` runs, untimed, after closing and before paying.
    """
    with common.timed() as close:
        closed = services.sweep(services.close_windows_batch, now=now, limit=limit)
    between()
    with common.timed() as pay:
        paid = services.sweep(services.pay_batch, now=now, limit=limit)
    return close[0], pay[0], closed, paid


# --- Plans of the due-row selection --------------------------------------------------------


def selection_plan(work: str, now: datetime, limit: int) -> str:
    """``EXPLAIN ANALYZE`` of the queries that pick and lock a sweep's first batch (rolled back).

    ``work`` is ``close`` (the lock of due boosts' ids, then the read of those boosts with their
    line, order and closing snapshot) or ``pay`` (the lock of scheduled settlements with the
    columns paying reads of them), each built by its service exactly as a batch builds it and
    planned, as both batches are, on index scans alone.
    """
    with transaction.atomic():
        with planning.index_scans_only():
            if work == "close":
                lock = closing._lock_ids(
                    closing.CLOSING.batch_rows(now, after_id=0), skip_locked=True
                )
                plans = [lock[:limit].explain(analyze=True)]
                ids = list(lock[:limit])
                plans.append("then\n" + closing._closing_rows(ids).explain(analyze=True))
            else:
                due = payouts.PAYING.batch_rows(now, after_id=0)
                plans = [payouts._lock_rows(due, skip_locked=True)[:limit].explain(analyze=True)]
        transaction.set_rollback(True)
    return "\n".join(f"    {line}" for plan in plans for line in plan.splitlines())


# --- Same rows? ------------------------------------------------------------------------------


def outcome() -> dict[str, object]:
    """Everything the sweeps wrote, keyed by business identity rather than by row id."""
    keys = dict(LedgerEntry.objects.values_list("pk", "idempotency_key"))
    settlement_boost = dict(Settlement.objects.values_list("pk", "boost_id"))
    fields = [f.attname for f in Settlement._meta.concrete_fields if f.attname != "id"]
    settlements = {}
    for row in Settlement.objects.values(*fields):
        row["ledger_entry_id"] = keys.get(row["ledger_entry_id"])
        settlements[row.pop("boost_id")] = row
    settlement_events = sorted(
        (
            settlement_boost[e["settlement_id"]],
            e["type"],
            e["actor_name"],
            e["at"],
            sorted((k, keys[v] if k == "ledger_entry" else v) for k, v in e["data"].items()),
        )
        for e in SettlementEvent.objects.values("settlement_id", "type", "actor_name", "at", "data")
    )
    credits = {
        row.pop("idempotency_key"): row
        for row in LedgerEntry.objects.filter(
            kind__in=[LedgerKind.COMPENSATION, LedgerKind.REFUND]
        ).values(
            "idempotency_key",
            "client_id",
            "kind",
            "amount",
            "balance_after",
            "order_id",
            "boost_id",
            "reason",
            "created_by_id",
            "created_at",
        )
    }
    client_events = {
        (e.pop("type"), e.pop("boost_id")): {
            **e,
            "settlement_id": settlement_boost[e["settlement_id"]],
            "payload": {k: keys[v] if k == "ledger_entry" else v for k, v in e["payload"].items()},
        }
        for e in ClientEvent.objects.values(
            "type", "boost_id", "client_id", "settlement_id", "payload", "occurred_at"
        )
    }
    return {
        "boost statuses": sorted(Boost.objects.values_list("pk", "status", "status_changed_at")),
        "boost events": sorted(
            BoostEvent.objects.filter(at=NOW).values_list(
                "boost_id", "from_status", "to_status", "actor_name", "note", "at"
            )
        ),
        "settlements": settlements,
        "settlement events": settlement_events,
        "ledger credits": credits,
        "client events": client_events,
    }


def differences(a: dict[str, object], b: dict[str, object]) -> list[str]:
    found = []
    for name in a:
        if a[name] != b[name]:
            left, right = a[name], b[name]
            if isinstance(left, dict):
                keys = sorted(set(left) ^ set(right)) or [
                    k for k in sorted(left) if left[k] != right.get(k)
                ]
                example = keys[0]
                found.append(
                    f"{name}: {len(keys)} differ, e.g. {example}: "
                    f"{left.get(example)} vs {right.get(example)}"
                )
            else:
                found.append(f"{name}: {len(left)} vs {len(right)} rows, or different values")
    return found


# --- Queries per batch -----------------------------------------------------------------------


def queries_per_batch(seed: int, limits: tuple[int, ...]) -> dict[str, dict[int, list[int]]]:
    """Queries of every batch of both sweeps over QUERY_COUNT_N due boosts, per batch size."""
    counts: dict[str, dict[int, list[int]]] = {"close_windows_batch": {}, "pay_batch": {}}
    for limit in limits:
        load(QUERY_COUNT_N, seed)
        for name, batch in (
            ("close_windows_batch", services.close_windows_batch),
            ("pay_batch", services.pay_batch),
        ):
            seen = counts[name].setdefault(limit, [])

            def counted(batch=batch, seen=seen, **kwargs):
                with CaptureQueriesContext(connection) as queries:
                    result = batch(**kwargs)
                if result[0]:  # the final, empty batch only says "nothing left"
                    seen.append(len(queries))
                return result

            services.sweep(counted, now=NOW, limit=limit)
    return counts


# --- The entry -------------------------------------------------------------------------------


def headline(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The summary's rows (see the module docstring); ``quick`` measures 2,000 and 20,000."""
    if getattr(args, "quick", False):
        args.n, args.n2 = min(args.n, 20_000), min(args.n2, 2_000)
    return run(args)


def run(args: argparse.Namespace) -> list[tuple[str, str]]:
    sizes = [args.n2, args.n] if args.n2 != args.n else [args.n]
    version = common.server_version()
    print(
        f"sweep: close_windows + pay_due over N due boosts; PostgreSQL {version}, "
        f"database {connection.settings_dict['NAME']}, batches of {args.batch}, now = "
        f"{timezone.localtime(NOW):%Y-%m-%d %H:%M %Z}\n"
    )
    results, plans = [], {}

    def plan_pay() -> None:
        plans["pay"] = selection_plan("pay", NOW, args.batch)

    for n in sizes:
        runs = []
        for _run in range(args.repeat if n < sizes[-1] else 1):
            with common.timed() as loading:
                load(n, args.seed)
            plans["close"] = selection_plan("close", NOW, args.batch)
            close_s, pay_s, closed, paid = services_sweep(NOW, args.batch, plan_pay)
            expected = outcome()
            load(n, args.seed)
            with common.timed() as floor:
                sql_floor(NOW)
            found = differences(expected, outcome())
            runs.append((n, close_s, pay_s, floor[0], closed, paid, found))
            closed_counts = ", ".join(f"{k} {v:,}" for k, v in sorted(closed.items()))
            print(
                f"  N = {n:,} (loaded in {loading[0]:.0f} s): services {close_s + pay_s:.2f} s "
                f"(close {close_s:.2f} s: {closed_counts}; pay {pay_s:.2f} s: "
                f"{paid.get('paid', 0):,} paid), SQL floor {floor[0]:.2f} s; "
                f"same rows: {'yes' if not found else 'NO'}",
                flush=True,
            )
            for line in found:
                print(f"    differs: {line}")
        results.append(median_run(runs))

    rows = []
    for n, close_s, pay_s, floor_s, closed, paid, found in results:
        total = close_s + pay_s
        rows.append(
            (
                f"{n:,}",
                f"{sum(v for k, v in closed.items() if k != 'batches'):,}",
                f"{paid.get('paid', 0):,}",
                f"{close_s:.2f}",
                f"{pay_s:.2f}",
                f"{total:.2f}",
                f"{n / total:,.0f}",
                f"{floor_s:.2f}",
                f"{n / floor_s:,.0f}",
                f"{total / floor_s:.1f}x",
                "yes" if not found else "NO",
            )
        )
    print()
    print(
        common.table(
            [
                "N",
                "closed",
                "paid",
                "close s",
                "pay s",
                "services s",
                "boosts/s",
                "SQL floor s",
                "boosts/s",
                "services/floor",
                "same rows",
            ],
            rows,
        )
    )
    headline = [
        (f"close + pay, {n:,} due boosts", f"{c + p:.2f} s, {(c + p) / f:.1f}x floor ({f:.2f} s)")
        for n, c, p, f, *_rest in results
    ]
    if len(results) == 2:
        small, large = results
        services_ratio = (large[1] + large[2]) / (small[1] + small[2])
        print(
            f"\nlinearity: time({large[0]:,}) / time({small[0]:,}) = "
            f"{services_ratio:.2f} for the services, "
            f"{large[3] / small[3]:.2f} for the SQL floor (linear: {large[0] / small[0]:.2f})"
        )
        headline.append(
            (
                f"close + pay, time({large[0]:,}) / time({small[0]:,})",
                f"{services_ratio:.2f} (floor {large[3] / small[3]:.2f})",
            )
        )
    print(f"\nplans of the due-row selection, first batch at N = {sizes[-1]:,}:")
    print(f"  close_windows_batch (boost ids, then their rows; before closing):\n{plans['close']}")
    print(f"  pay_batch (settlement rows, after closing):\n{plans['pay']}")

    limits = tuple(sorted({100, args.batch}))
    counts = queries_per_batch(args.seed, limits)
    print(
        f"\nstatements per batch, BEGIN/COMMIT/SAVEPOINT included (CaptureQueriesContext on every "
        f"batch of {QUERY_COUNT_N:,} due boosts):"
    )
    for name, by_limit in counts.items():
        parts = []
        for limit, seen in by_limit.items():
            low, high = min(seen), max(seen)
            parts.append(
                f"{low if low == high else f'{low}-{high}'} ({len(seen)} batches of {limit})"
            )
        if len({c for seen in by_limit.values() for c in seen}) == 1:
            verdict = "constant"
        elif max(by_limit[max(limits)]) > max(by_limit[min(limits)]):
            verdict = "GROWS with the batch size"
        else:
            verdict = "bounded: varies with the outcomes in a batch, not with its size"
        print(f"  {name}: {', '.join(parts)} -> {verdict}")
    if any(r[-1] for r in results):
        raise SystemExit("the SQL floor and the services wrote different rows")
    return headline
