"""No value a sweep cannot read back reaches the database (issue 11, item 1: the edges).

A view snapshot's instant must be ASCII ISO 8601 within 2000–2100 (``kernel.instants``), not
before its order was placed and not in the future; a ledger entry and a balance stay under their
ceilings, far inside ``numeric(14,2)``. Each refusal is a clear 4xx or error message, checked
before writing: every case asserts that no row was written.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from orders import selectors, services
from orders.models import ApiRequestLog, LedgerEntry, LedgerKind, ViewSnapshot
from orders.services import EntryIn, OrderError, SnapshotIn
from tests import factories
from tests.csv_imports import ImportFailed, import_csv
from tests.factories import T0

from .conftest import call_api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LOG = ApiRequestLog._meta.label
BEFORE_ORDER = (T0 - timedelta(minutes=1)).isoformat()

HOSTILE_INSTANTS = [
    pytest.param("0001-01-01T00:00:00+14:00", "outside the accepted range", id="bc-instant"),
    pytest.param("２０２６-03-10T11:00:00+08:00", "ASCII digits 0–9", id="full-width-digits"),
    pytest.param(BEFORE_ORDER, "before the order was placed", id="before-the-order"),
]


def without_log(counts: dict[str, int]) -> dict[str, int]:
    return {label: n for label, n in counts.items() if label != LOG}


@pytest.fixture
def video(clock):
    """Video v1 of an order placed at T0 and published then; the clock is a day later."""
    factories.publish(factories.boost(), at=T0, video_id="v1")
    clock.move_to(T0 + timedelta(days=1))
    return "v1"


# --- View snapshots: the API and import_views -------------------------------------------------


@pytest.mark.parametrize(("observed_at", "message"), HOSTILE_INSTANTS)
def test_the_api_refuses_an_instant_a_sweep_could_not_use(
    client, raw_token, video, observed_at, message
):
    before = factories.row_counts()
    good = {"video_id": video, "observed_at": (T0 + timedelta(hours=1)).isoformat(), "views": 5}
    bad = {"video_id": video, "observed_at": observed_at, "views": 10}
    response = call_api(client, "views", {"snapshots": [good, bad]}, raw_token)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["1"]
    assert message in response.json()["errors"]["1"][0]
    assert without_log(factories.row_counts()) == without_log(before)
    assert ViewSnapshot.objects.count() == 0


@pytest.mark.parametrize(("observed_at", "message"), HOSTILE_INSTANTS)
def test_import_views_refuses_an_instant_a_sweep_could_not_use(
    tmp_path, video, observed_at, message
):
    text = (
        f"video_id,observed_at,views\nv1,{(T0 + timedelta(hours=1)).isoformat()},5\n"
        f"v1,{observed_at},10\n"
    )
    before = factories.row_counts()
    with pytest.raises(ImportFailed) as failed:
        import_csv("import_views", tmp_path, text)
    assert failed.value.err.startswith("line 3: ") and message in failed.value.err
    assert factories.row_counts() == before


def test_record_views_itself_refuses_a_snapshot_from_before_the_order(video):
    before = factories.row_counts()
    with pytest.raises(OrderError) as refused:
        services.record_views(
            items=[SnapshotIn(video, T0 - timedelta(microseconds=1), 1)], now=T0 + timedelta(days=1)
        )
    assert "before the order was placed (2026-03-10T10:00:00+08:00)" in refused.value.messages[0]
    assert factories.row_counts() == before


def test_a_snapshot_at_the_instant_the_order_was_placed_is_accepted(video):
    assert services.record_views(items=[SnapshotIn(video, T0, 1)], now=T0 + timedelta(days=1)) == 1


# --- Ledger ceilings ----------------------------------------------------------------------------


def test_the_ceilings_are_far_inside_the_money_column():
    column_max = Decimal("999999999999.99")
    assert settings.LEDGER_MAX_ENTRY < settings.LEDGER_MAX_BALANCE < column_max


def test_a_top_up_over_the_entry_ceiling_is_refused_and_writes_nothing():
    account = factories.client(balance="100.00")
    before = factories.row_counts()
    with pytest.raises(OrderError) as refused:
        factories.top_up(account, Decimal("999999999999.99"), now=T0)
    assert "A single ledger entry is at most ¥1,000,000,000.00" in refused.value.messages[0]
    assert factories.row_counts() == before


def fill_to_ceiling(account) -> None:
    """Top the client up to exactly the balance ceiling, in entries the entry ceiling allows."""
    while (room := settings.LEDGER_MAX_BALANCE - selectors.client_balance(account)) > 0:
        factories.top_up(account, min(room, settings.LEDGER_MAX_ENTRY), now=T0)


def test_a_credit_past_the_balance_ceiling_is_refused_and_writes_nothing():
    account = factories.client(balance="0")
    fill_to_ceiling(account)
    assert selectors.client_balance(account) == settings.LEDGER_MAX_BALANCE
    before = factories.row_counts()
    with pytest.raises(OrderError) as refused:
        factories.top_up(account, Decimal("0.01"), now=T0)
    assert "above the account ceiling of ¥10,000,000,000.00" in refused.value.messages[0]
    assert factories.row_counts() == before
    # Money can still leave an account at the ceiling.
    services.post_entry(
        entry=EntryIn(account.pk, LedgerKind.ADJUSTMENT, Decimal("-5.00"), "out"), now=T0
    )
    assert selectors.client_balance(account) == settings.LEDGER_MAX_BALANCE - 5


def test_the_admin_top_up_of_999_999_999_999_99_shows_the_error_and_writes_nothing(
    admin_client,
):
    account = factories.client(balance="100.00")
    url = reverse("admin:orders_client_top_up", args=[account.pk])
    page = admin_client.get(url, follow=True)  # the form instance's id joins the URL once
    url = page.redirect_chain[-1][0]
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(amount="999999999999.99", reason="Bank transfer")
    before = factories.row_counts()
    response = admin_client.post(url, data)
    # The admin re-renders the form with the service's message (not a 500).
    assert response.status_code == 200
    assert "A single ledger entry is at most ¥1,000,000,000.00" in response.content.decode()
    assert factories.row_counts() == before
    assert LedgerEntry.objects.filter(client=account).count() == 1
