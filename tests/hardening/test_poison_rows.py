"""The done-when fault-injection test of issue 11, item 1, on PostgreSQL with real poison.

700 due boosts; one has a snapshot stored (by raw SQL, past every edge check) as a BC instant,
which PostgreSQL keeps and psycopg cannot read back; one belongs to a client at the balance
ceiling, whose compensation credit the ledger refuses. One ``close_windows`` + ``pay_due`` settles
and pays the other 698; the two are quarantined and shown to operators; a second run changes and
pays nothing; once the data is fixed, the next run's retry puts both through.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from orders import selectors
from orders.models import Boost, LedgerEntry
from settlements import insights, tasks
from settlements.models import QuarantinedRow, Settlement
from tests import factories
from tests.factories import T0

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
PUBLISHED = T0 + timedelta(hours=1)
END = PUBLISHED + timedelta(days=14)
RUN = (END + timedelta(minutes=1)).isoformat()


def at_the_ceiling():
    """A client whose one due boost is owed ¥550.00 while its balance sits at the ceiling."""
    account = factories.client(balance="11000.00")
    boost = factories.publish(factories.boost(account=account), at=PUBLISHED)
    factories.views(boost, (END - timedelta(hours=1), 19_000))
    while (room := settings.LEDGER_MAX_BALANCE - selectors.client_balance(account)) > 0:
        factories.top_up(account, min(room, settings.LEDGER_MAX_ENTRY), now=T0)
    return account, boost


def poisoned() -> Boost:
    """A due boost whose only snapshot is a BC instant (0001-12-31 10:00 BC in UTC)."""
    boost = factories.publish(factories.boost(), at=PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_viewsnapshot (line_id, observed_at, views, received_at) "
            "VALUES (%s, '0001-01-01 00:00:00+14', 19000, %s)",
            [boost.line_id, END],
        )
    return boost


def open_quarantine() -> dict[tuple[str, int], QuarantinedRow]:
    return {
        (row.sweep, row.object_id): row
        for row in QuarantinedRow.objects.filter(resolved_at__isnull=True)
    }


def ledger_state() -> tuple[int, Decimal]:
    total = LedgerEntry.objects.aggregate(total=Sum("amount"))["total"]
    return LedgerEntry.objects.count(), total


def test_one_poisoned_snapshot_and_one_client_at_the_ceiling_stop_nobody_else(admin_client):
    factories.due_boosts(698, published=PUBLISHED)
    bad_snapshot = poisoned()
    ceiling_client, ceiling_boost = at_the_ceiling()
    assert Boost.objects.filter(window_end__lte=END).count() == 700

    closed = tasks.close_windows(RUN)
    paid = tasks.pay_due(RUN)

    assert (closed["compensated"], closed["quarantined"]) == (699, 1)
    assert (paid["paid"], paid["quarantined"]) == (698, 1)
    paid_boosts = set(Settlement.objects.filter(status="paid").values_list("boost_id", flat=True))
    others = set(Boost.objects.values_list("pk", flat=True)) - {bad_snapshot.pk, ceiling_boost.pk}
    assert paid_boosts == others and len(others) == 698
    ceiling_settlement = Settlement.objects.get(boost=ceiling_boost)
    assert ceiling_settlement.status == "scheduled"
    assert not Settlement.objects.filter(boost=bad_snapshot).exists()

    rows = open_quarantine()
    assert set(rows) == {("close_windows", bad_snapshot.pk), ("pay_due", ceiling_settlement.pk)}
    poison = rows["close_windows", bad_snapshot.pk]
    assert poison.error_class.endswith("DataError")
    assert "timestamp too small" in poison.error_message
    ceiling = rows["pay_due", ceiling_settlement.pk]
    assert ceiling.error_class.endswith("OrderError")
    assert "above the account ceiling" in ceiling.error_message

    # Operators see both: the work queue and the admin list it links to.
    today = timezone.localdate(END + timedelta(minutes=1))
    queue = {q.key: q for q in insights.work_queues(today=today)}["quarantined"]
    assert (queue.count, queue.urgent) == (2, True)
    page = admin_client.get(queue.url)
    assert page.context["cl"].result_count == 2
    html = page.content.decode()
    assert reverse("admin:orders_boost_change", args=[bad_snapshot.pk]) in html
    assert reverse("admin:settlements_settlement_change", args=[ceiling_settlement.pk]) in html

    # A second run changes nothing and pays nothing twice; it only counts another attempt.
    before, ledger = factories.row_counts(), ledger_state()
    assert tasks.close_windows(RUN) == {"batches": 0, "quarantined": 1}
    assert tasks.pay_due(RUN) == {"batches": 0, "quarantined": 1}
    assert factories.row_counts() == before
    assert ledger_state() == ledger
    assert {key: row.attempts for key, row in open_quarantine().items()} == {key: 2 for key in rows}

    # Fixed: the snapshot gets a readable instant, the client spends below the ceiling.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_viewsnapshot SET observed_at = %s WHERE line_id = %s",
            [END - timedelta(hours=1), bad_snapshot.line_id],
        )
    factories.order(ceiling_client, [factories.influencer(now=END)], now=END)
    assert tasks.close_windows(RUN) == {"batches": 0, "compensated": 1, "resolved": 1}
    assert tasks.pay_due(RUN) == {"batches": 1, "paid": 2, "resolved": 1}
    assert not open_quarantine()
    assert set(QuarantinedRow.objects.values_list("resolution", flat=True)) == {"retried"}
    assert Settlement.objects.filter(status="paid").count() == 700
    call_command("reconcile", stdout=io.StringIO())
