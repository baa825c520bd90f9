"""The big changelists never count their whole table (issue 13; ``kernel.paging``).

Boosts, settlements, view snapshots and ledger entries grow to millions of rows: their changelists
count at most ``COUNT_CAP`` rows, or read the planner's estimate when unfiltered on PostgreSQL.
"""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kernel import paging
from kernel.paging import CappedCountPaginator
from orders.models import Boost, LedgerEntry, ViewSnapshot
from settlements.models import Settlement
from tests.factories.orders import views
from tests.factories.settlements import active_boost, compensation, refund

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BIG = [Boost, Settlement, ViewSnapshot, LedgerEntry]
FILTERS = {
    Boost: "status__exact=compensated",
    Settlement: "status__exact=scheduled",
    ViewSnapshot: "line__boost__status__exact=compensated",
    LedgerEntry: "kind__exact=boost_fee",
}
COUNT = re.compile(r"SELECT COUNT\(", re.IGNORECASE)


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def rows():
    """Two settled boosts (a compensation, a refund), a running one with three snapshots, and
    their ledger entries."""
    compensation(name="Comp")
    refund(name="Refund")
    running = active_boost(name="Running")
    start = running.window_start
    views(running, *((start + timedelta(hours=h), 100 * h) for h in (1, 2, 3)))
    assert all(model.objects.exists() for model in BIG)


def full_counts(captured) -> list[str]:
    """The COUNT statements that are not bounded by a LIMIT subquery."""
    return [q["sql"] for q in captured if COUNT.search(q["sql"]) and "LIMIT" not in q["sql"]]


@pytest.mark.parametrize("model", BIG, ids=lambda m: m._meta.model_name)
def test_the_big_changelists_run_no_full_count_unfiltered_or_filtered(admin_client, rows, model):
    for query in ("", "?" + FILTERS[model]):
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(changelist(model) + query)
        assert response.status_code == 200
        assert response.context["cl"].result_count >= 1
        assert full_counts(captured) == []
    model_admin = admin.site._registry[model]
    assert model_admin.paginator is CappedCountPaginator
    assert model_admin.show_full_result_count is False


def test_a_plain_changelist_would_have_counted_everything(admin_client, rows, monkeypatch):
    """The check above sees a full count when there is one: Django's own paginator runs it."""
    from django.core.paginator import Paginator

    monkeypatch.setattr(admin.site._registry[ViewSnapshot], "paginator", Paginator)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(changelist(ViewSnapshot))
    assert full_counts(captured)


def test_a_filtered_count_stops_at_the_cap(rows, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    snapshots = ViewSnapshot.objects.filter(views__gte=0)
    assert snapshots.count() > 2
    with CaptureQueriesContext(connection) as captured:
        assert CappedCountPaginator(snapshots, 100).count == 2
    assert full_counts(captured) == [] and len(captured) == 1
    assert CappedCountPaginator(ViewSnapshot.objects.filter(views__lt=0), 100).count == 0


def test_unfiltered_on_postgresql_reads_the_planner_estimate_once_the_table_is_large(
    rows, monkeypatch
):
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    exact = ViewSnapshot.objects.count()
    if connection.vendor != "postgresql":
        # No estimate elsewhere: the rows counted up to the cap.
        assert CappedCountPaginator(ViewSnapshot.objects.all(), 100).count == 2
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_viewsnapshot")
    with CaptureQueriesContext(connection) as captured:
        assert CappedCountPaginator(ViewSnapshot.objects.all(), 100).count == exact
    assert [q["sql"] for q in captured if "pg_class" in q["sql"]] and full_counts(captured) == []


def test_a_small_table_is_counted_exactly(rows):
    assert CappedCountPaginator(Settlement.objects.all(), 100).count == Settlement.objects.count()
    assert CappedCountPaginator([1, 2, 3], 2).count == 3  # a list is a list
