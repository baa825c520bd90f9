"""Sweeps on PostgreSQL with real transactions and real processes (DESIGN §9).

Two processes over the same due boosts settle and pay each exactly once; a process killed with
SIGKILL half way loses nothing and doubles nothing when the sweep runs again.
"""

import json
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum

from orders.models import Boost, LedgerEntry, LedgerKind
from settlements.models import Settlement
from tests import factories
from tests.factories import T0

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = T0 + timedelta(days=1)
AFTER_WINDOW = PUBLISHED + timedelta(days=15)


def sweeper(*args: str) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return subprocess.Popen(
        [sys.executable, "-m", "tests.settlements.sweeper", AFTER_WINDOW.isoformat(), *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out or err


def assert_each_boost_settled_and_paid_once(n: int) -> None:
    assert Boost.objects.filter(status=Boost.Status.COMPENSATED).count() == n
    assert Settlement.objects.filter(status=Settlement.Status.PAID).count() == n
    credits = LedgerEntry.objects.filter(kind=LedgerKind.COMPENSATION)
    assert credits.count() == n
    assert credits.aggregate(total=Sum("amount"))["total"] == Decimal("550.00") * n
    assert not credits.values("boost").annotate(n=Count("pk")).filter(n__gt=1).exists()
    call_command("reconcile")


def test_two_processes_over_the_same_500_due_boosts_settle_and_pay_each_once():
    factories.due_boosts(500, published=PUBLISHED)
    first, second = sweeper("25"), sweeper("25")
    results = [finish(first), finish(second)]
    assert [code for code, _ in results] == [0, 0], results
    counts = [json.loads(out) for _, out in results]
    assert sum(c["closed"].get("compensated", 0) for c in counts) == 500
    assert sum(c["paid"].get("paid", 0) for c in counts) == 500
    assert_each_boost_settled_and_paid_once(500)


def test_a_process_killed_mid_batch_loses_nothing_and_a_rerun_doubles_nothing():
    factories.due_boosts(100, published=PUBLISHED)
    code, _ = finish(sweeper("20", "3"))
    assert code == -9
    paid = Settlement.objects.filter(status=Settlement.Status.PAID).count()
    assert paid == 40  # two payout batches committed, the third died before its commit
    assert LedgerEntry.objects.filter(kind=LedgerKind.COMPENSATION).count() == paid
    code, out = finish(sweeper("20"))
    assert code == 0, out
    assert json.loads(out)["paid"]["paid"] == 60
    assert_each_boost_settled_and_paid_once(100)
