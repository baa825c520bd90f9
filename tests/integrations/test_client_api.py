"""The client API: bearer tokens of one client, strictly scoped reads, pages and filters."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations import services
from integrations.models import ClientApiToken
from orders.models import Boost
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db


def get(client, name: str, token: str | None, *args, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(reverse(f"api:{name}", args=args), params, headers=headers)


@pytest.fixture
def boosts(account, clock):
    """Three boosts of ``account``: running with views, compensated (and paid), never published."""
    running = factories.publish(factories.boost(account=account), at=T0 + timedelta(hours=1))
    factories.views(
        running, *[(running.window_start + timedelta(hours=h), 600 * h) for h in (2, 12, 24)]
    )
    closed = factories.publish(factories.boost(account=account), at=T0 + timedelta(hours=1))
    factories.settle_window(closed, views_at_end=19_000)
    waiting = factories.boost(account=account)
    clock.move_to(T0 + timedelta(days=1, hours=2))
    return running, closed, waiting


def test_a_token_is_stored_hashed_and_shown_only_at_creation(account, clock):
    token, raw = services.create_api_token(client=account, name="bi", now=T0)
    row = ClientApiToken.objects.filter(pk=token.pk).values().get()
    assert raw.startswith("sbc_") and row["prefix"] == raw[:12]
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in row.values())


@pytest.mark.parametrize("sent", [None, "nope", "revoked"])
def test_a_request_without_a_valid_token_is_401(client, account, api_token, sent):
    if sent == "revoked":
        services.revoke_api_token(token=ClientApiToken.objects.get())
    response = get(client, "list_boosts", api_token if sent == "revoked" else sent)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_boosts_show_progress_with_the_projection_and_the_threshold(client, boosts, api_token):
    running, closed, waiting = boosts
    response = get(client, "list_boosts", api_token)
    assert response.status_code == 200
    page = response.json()
    assert (page["count"], page["page"], page["page_size"]) == (3, 1, 50)
    by_id = {row["id"]: row for row in page["results"]}
    live = by_id[running.pk]
    assert live["status"] == "active" and live["order"] == running.line.order.code
    assert live["progress"]["latest_views"] == 600 * 24
    assert live["progress"]["projected_views"] > 600 * 24
    assert live["progress"]["whole_fee_views"] == 18_181
    assert (live["boost_fee"], live["fixed_price"], live["premium_ratio"]) == (
        "1000.00",
        "10000.00",
        "0.10",
    )
    done = by_id[closed.pk]
    assert done["status"] == "compensated" and done["settlement"] is not None
    assert done["progress"]["latest_views"] == 19_000
    assert done["progress"]["projected_views"] is None
    assert by_id[waiting.pk]["progress"]["latest_views"] is None


def test_lists_are_filtered_by_status_and_dates_and_paginated(client, boosts, api_token):
    running, closed, _waiting = boosts
    active = get(client, "list_boosts", api_token, status="active").json()
    assert [row["id"] for row in active["results"]] == [running.pk]
    assert get(client, "list_boosts", api_token, date_from="2026-03-11").json()["count"] == 0
    assert get(client, "list_boosts", api_token, date_to="2026-03-10").json()["count"] == 3
    second = get(client, "list_boosts", api_token, page=2, page_size=2).json()
    assert (second["count"], len(second["results"])) == (3, 1)
    assert get(client, "list_boosts", api_token, status="nonsense").status_code == 422
    assert get(client, "list_boosts", api_token, page=0).status_code == 422


def test_settlements_carry_every_input_of_the_formula(client, boosts, api_token):
    _running, closed, _waiting = boosts
    rows = get(client, "list_settlements", api_token, kind="compensation").json()["results"]
    assert len(rows) == 1
    settlement = rows[0]
    assert settlement["boost"] == closed.pk and settlement["amount"] == "550.00"
    assert settlement["formula"] == {
        "formula_version": settlement["formula"]["formula_version"],
        "expected_views": 20_000,
        "actual_views": 19_000,
        "snapshot_observed_at": settlement["formula"]["snapshot_observed_at"],
        "fixed_price": "10000.00",
        "boost_fee": "1000.00",
        "expected_cpm": "550.0000",
        "raw_amount": "550.000000",
        "cap_applied": False,
    }
    one = get(client, "get_settlement", api_token, settlement["id"]).json()
    assert one == settlement


def test_the_statement_and_the_orders_are_the_clients_own(client, boosts, api_token, account):
    statement = get(client, "get_statement", api_token).json()
    kinds = {row["kind"] for row in statement["results"]}
    assert {"top_up", "order_charge", "boost_fee"} <= kinds
    assert statement["results"][0]["balance_after"] == "67000.00"
    orders = get(client, "list_orders", api_token).json()
    assert orders["count"] == 3
    code = orders["results"][0]["code"]
    order = get(client, "get_order", api_token, code).json()
    assert order["lines"][0]["boost"] is not None and order["total_fees"] == "1000.00"


@pytest.mark.parametrize("name", ["get_boost", "get_settlement", "get_order"])
def test_another_clients_row_is_a_404_identical_to_a_missing_one(client, clock, api_token, name):
    other = factories.client(balance="100000.00")
    theirs = factories.publish(factories.boost(account=other), at=T0 + timedelta(hours=1))
    factories.settle_window(theirs, views_at_end=19_000)
    theirs = Boost.objects.select_related("line__order", "settlement").get(pk=theirs.pk)
    key = {
        "get_boost": (theirs.pk, 999_999),
        "get_settlement": (theirs.settlement.pk, 999_999),
        "get_order": (theirs.line.order.code, "SB000000-NOPE"),
    }[name]
    foreign, missing = get(client, name, api_token, key[0]), get(client, name, api_token, key[1])
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    # Per-request headers (the request id) aside, nothing tells the two apart.
    same = {"Content-Length", "X-Request-ID"}
    assert {k: v for k, v in foreign.headers.items() if k not in same} == {
        k: v for k, v in missing.headers.items() if k not in same
    }


def test_events_list_what_webhooks_carry(client, boosts, api_token):
    events = get(client, "list_events", api_token).json()
    types = [row["type"] for row in events["results"]]
    assert types.count("boost.active") == 2 and "boost.settled" in types
    only = get(client, "list_events", api_token, type="boost.settled").json()
    assert only["count"] == 1 and only["results"][0]["data"]["amount"] == "550.00"


def test_a_token_is_stamped_with_its_last_use(client, account, api_token, clock):
    clock.move_to(T0 + timedelta(hours=3))
    assert get(client, "list_orders", api_token).status_code == 200
    assert ClientApiToken.objects.get().last_used_at == timezone.now()
