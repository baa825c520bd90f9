"""``insights``: the operator insights page over N settlements spread across a year.

N settled boosts (``--n``, default 100,000) with their orders (10 lines each), lines, 50 clients and
1,000 influencers, loaded with COPY (not timed). Windows end at random instants over the 365 days up
to now; each boost's settlement is computed an hour later: 60 % nothing owed (closed), 35 %
compensation (80 % paid about 8 days later when that is past, otherwise scheduled; 5 % held; the
cap applied to a tenth), 5 % refunds (paid). Every paid settlement has its ledger credit.

``GET /admin/insights/`` is served in-process by Django's test ``Client`` to a staff user of the
Finance group (``force_login``), for the last 90 days by week (the page's default) and the last 365
days by week and by month: one warm-up, then the median of ``--r`` requests, and the statements
of one more request (``CaptureQueriesContext``).
"""

from __future__ import annotations

import argparse
import random
import statistics
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from orders.models import (
    Boost,
    Client,
    Influencer,
    LedgerEntry,
    LedgerKind,
    Order,
    OrderLine,
)
from settlements.insights import Period
from settlements.models import Settlement, ShortfallCause

from . import common

NAME = "insights"
HELP = "GET /admin/insights/ over N settlements across a year (90 and 365 days)"

CLIENTS, INFLUENCERS, LINES_PER_ORDER = 50, 1_000, 10
FEN, ZERO = common.FEN, Decimal("0.00")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=100_000, help="settlements (default 100000)")
    parser.add_argument("--r", type=int, default=5, help="timed requests per period (default 5)")
    parser.add_argument("--seed", type=int, default=20261126)


def load(n: int, seed: int, now) -> dict[str, int]:
    """The data set of the module docstring; returns how many settlements of each status."""
    common.reset_data()
    rng = random.Random(seed + n)
    clients = common.clients(CLIENTS)
    influencers = common.influencers(INFLUENCERS, Decimal("1000.00"))
    orders, lines, boosts, settlements, entries = [], [], [], [], []
    statuses: dict[str, int] = {}
    for o in range(1, -(-n // LINES_PER_ORDER) + 1):
        window_end = now - timedelta(days=365) * rng.random() - timedelta(hours=2)
        window_start = window_end - timedelta(days=14)
        placed = window_start - timedelta(days=10 * rng.random())
        client_id = (o - 1) % CLIENTS + 1
        orders.append(
            Order(
                id=o, code=f"S{o}", client_id=client_id, idempotency_key=f"b{o}", placed_at=placed
            )
        )
        for k in range(min(LINES_PER_ORDER, n - len(lines))):
            pk = len(lines) + 1
            price, ratio, fee, expected = common.random_quote(rng)
            draw = rng.random()
            kind = "none" if draw < 0.60 else "compensation" if draw < 0.95 else "refund"
            computed = window_end + timedelta(hours=1)
            actual, raw, cap, amount = expected + rng.randrange(0, 50_000), Decimal(0), False, ZERO
            boost_status = Boost.Status.SUCCEEDED
            if kind == "compensation":
                boost_status = Boost.Status.COMPENSATED
                actual = int(expected * rng.uniform(0.3, 0.99))
                raw = (Decimal(expected - actual) * (price + fee) / expected).quantize(
                    Decimal("0.000001")
                )
                cap = raw > fee
                amount = max(min(raw, fee).quantize(FEN, ROUND_HALF_UP), FEN)
            elif kind == "refund":
                boost_status, actual, raw, amount = Boost.Status.CANCELLED, None, None, fee
            paid_at = computed + timedelta(days=8, hours=rng.randrange(0, 48))
            if amount == 0:
                status, paid_at = "closed", None
            elif kind == "compensation" and rng.random() < 0.05:
                status, paid_at = "held", None
            elif paid_at > now:
                status, paid_at = "scheduled", None
            else:
                status = "paid"
            statuses[status] = statuses.get(status, 0) + 1
            influencer_id = (o * LINES_PER_ORDER + k) % INFLUENCERS + 1
            lines.append(common.order_line(pk, o, influencer_id, price, window_start))
            boosts.append(
                common.boost(
                    pk,
                    boost_status,
                    (expected, ratio, fee),
                    quoted_at=placed,
                    window=(window_start, window_end),
                    status_changed_at=computed,
                    quote={"bench": True, "expected_views": expected},
                )
            )
            entry_id = None
            if status == "paid":
                entry_id = len(entries) + 1
                entries.append(
                    LedgerEntry(
                        id=entry_id,
                        client_id=client_id,
                        kind=LedgerKind(kind),
                        amount=amount,
                        balance_after=amount,  # running balances do not matter to this page
                        idempotency_key=f"settlement:{pk}:payout",
                        order_id=o,
                        boost_id=pk,
                        created_at=paid_at,
                    )
                )
            settlements.append(
                Settlement(
                    id=pk,
                    boost_id=pk,
                    kind=kind,
                    status=status,
                    expected_views=expected,
                    actual_views=actual,
                    snapshot_observed_at=window_end - timedelta(hours=3) if actual else None,
                    fixed_price=price,
                    boost_fee=fee,
                    expected_cpm=((price + fee) * 1000 / expected).quantize(Decimal("0.0001")),
                    raw_amount=raw,
                    cap_applied=cap,
                    amount=amount,
                    formula_version="v1",
                    computed_at=computed,
                    service_ended_at=window_end,
                    due_date=(computed + timedelta(days=9)).date(),
                    due_date_provisional=False,
                    note="",
                    cause=ShortfallCause.NATURAL if kind == "compensation" else "",
                    paid_at=paid_at,
                    ledger_entry_id=entry_id,
                )
            )
    common.copy_all(
        [
            (Client, clients),
            (Influencer, influencers),
            (Order, orders),
            (OrderLine, lines),
            (Boost, boosts),
            (LedgerEntry, entries),
            (Settlement, settlements),
        ]
    )
    common.analyze()
    return statuses


def run(args: argparse.Namespace) -> None:
    now = timezone.now()
    with common.timed() as loading:
        statuses = load(args.n, args.seed, now)
    user = get_user_model().objects.create_user("bench-finance", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Finance"))
    print(
        f"insights: {args.n:,} settlements over the last 365 days "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(statuses.items()))}; loaded in "
        f"{loading[0]:.0f} s), database {connection.settings_dict['NAME']}; Django test Client "
        f"in-process as a Finance staff user, 1 warm-up + {args.r} timed requests each\n",
        flush=True,
    )
    browser = TestClient()
    browser.force_login(user)
    today = timezone.localdate()
    rows = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for days, group in ((90, "week"), (365, "week"), (365, "month")):
            period = Period.last_days(today, days)
            url = f"/admin/insights/?from={period.start}&to={period.end}&group={group}"
            _warmup, response = common.get(browser, url)
            seen = [common.get(browser, url)[0] for _ in range(args.r)]
            with CaptureQueriesContext(connection) as queries:
                browser.get(url, secure=True)
            slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
            rows.append(
                (
                    f"{days} days by {group}",
                    f"{statistics.median(seen) * 1000:.0f}",
                    f"{min(seen) * 1000:.0f}",
                    f"{max(seen) * 1000:.0f}",
                    len(queries),
                    f"{sum(float(q['time']) for q in queries.captured_queries) * 1000:.0f}",
                    f"{float(slowest['time']) * 1000:.0f}",
                    f"{len(response.content):,}",
                )
            )
            print(f"  {rows[-1][0]}: {rows[-1][1]} ms", flush=True)
            print(f"    slowest statement: {slowest['sql'][:300]}", flush=True)
    print()
    print(
        common.table(
            [
                "GET /admin/insights/",
                "median ms",
                "min ms",
                "max ms",
                "queries",
                "SQL ms",
                "slowest SQL ms",
                "bytes",
            ],
            rows,
        )
    )
