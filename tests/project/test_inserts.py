"""``kernel.inserts.insert``: one statement per batch, rows stored exactly as ``bulk_create`` would.

Runs on both databases: SQLite takes the portable path (``bulk_create``), PostgreSQL the
``json_populate_recordset`` one.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from kernel.inserts import insert, insert_rows
from orders.models import Client, ClientEvent, ClientEventType, LedgerEntry, LedgerKind
from tests import factories
from tests.factories import SHANGHAI, T0

pytestmark = pytest.mark.django_db


def _event(account: Client, key: str, **payload: object) -> ClientEvent:
    return ClientEvent(
        client=account,
        type=ClientEventType.BOOST_SETTLED,
        key=key,
        payload=payload,
        occurred_at=T0,
    )


def test_rows_get_their_ids_in_order_and_keep_every_value_exactly():
    account = factories.client(balance="0")
    at = T0.astimezone(SHANGHAI) + timedelta(microseconds=123_457)
    entries = [
        LedgerEntry(
            client=account,
            kind=LedgerKind.TOP_UP,
            amount=Decimal(amount),
            balance_after=Decimal(balance),
            idempotency_key=f"insert-test:{n}",
            reason="充值 ¥1,234.50",
            created_at=at,
        )
        for n, (amount, balance) in enumerate(
            [("0.01", "0.01"), ("9999999.99", "10000000.00"), ("1234.50", "10001234.50")]
        )
    ]
    with CaptureQueriesContext(connection) as queries:
        insert(entries)
    assert len(queries) == 1
    ids = [e.pk for e in entries]
    assert ids == sorted(ids) and len(set(ids)) == 3
    stored = list(LedgerEntry.objects.filter(pk__in=ids).order_by("pk"))
    assert [(e.amount, e.balance_after) for e in stored] == [
        (Decimal("0.01"), Decimal("0.01")),
        (Decimal("9999999.99"), Decimal("10000000.00")),
        (Decimal("1234.50"), Decimal("10001234.50")),
    ]
    assert {e.created_at for e in stored} == {at}
    assert {(e.reason, e.order_id, e.created_by_id) for e in stored} == {
        ("充值 ¥1,234.50", None, None)
    }


def test_auto_now_fields_and_encoded_json_are_stored_as_the_orm_stores_them():
    clients = insert([Client(code="ins-1", name="客户一"), Client(code="ins-2", name="客户二")])
    assert all(c.pk and c.created_at for c in clients)
    stored = Client.objects.get(pk=clients[0].pk)
    assert (stored.name, stored.created_at) == ("客户一", clients[0].created_at)
    payload = {"amount": "12.30", "nested": {"ids": [1, 2]}, "flag": True, "none": None}
    event = insert([_event(clients[0], "insert-test:json", **payload)])[0]
    assert ClientEvent.objects.get(pk=event.pk).payload == payload


def test_ignore_conflicts_skips_a_row_whose_key_is_taken_and_writes_the_others():
    account = factories.client(balance="0")
    insert([_event(account, "insert-test:a", n=1)])
    insert(
        [_event(account, "insert-test:a", n=2), _event(account, "insert-test:b", n=3)],
        ignore_conflicts=True,
    )
    assert dict(ClientEvent.objects.values_list("key", "payload__n")) == {
        "insert-test:a": 1,
        "insert-test:b": 3,
    }


def test_a_broken_constraint_is_an_integrity_error_and_writes_nothing():
    account = factories.client(balance="0")
    rows = [_event(account, "insert-test:same"), _event(account, "insert-test:same")]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(rows)
    assert not ClientEvent.objects.filter(key="insert-test:same").exists()


def test_nothing_to_insert_sends_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert insert([]) == []
    assert len(queries) == 0


def test_plain_rows_take_defaults_and_get_ids_in_order():
    account = factories.client(balance="0")
    rows = [
        {
            "client_id": account.pk,
            "type": ClientEventType.BOOST_SETTLED,
            "key": f"rows:{n}",
            "occurred_at": T0 + timedelta(seconds=n),
        }
        for n in range(3)
    ]
    rows[1]["payload"] = {"amount": "1.50", "at": T0}  # not flat JSON: through the encoder
    with CaptureQueriesContext(connection) as queries:
        ids = insert_rows(ClientEvent, rows)
    assert len(queries) == 1
    assert ids == sorted(ids) and len(set(ids)) == 3
    stored = {e.key: e for e in ClientEvent.objects.filter(pk__in=ids)}
    assert [stored[f"rows:{n}"].pk for n in range(3)] == ids
    assert stored["rows:0"].payload == {}  # the field's default
    assert stored["rows:0"].settlement_id is None
    assert stored["rows:1"].payload == {"amount": "1.50", "at": T0.isoformat()}
    assert stored["rows:2"].occurred_at == T0 + timedelta(seconds=2)


def test_plain_rows_ignoring_conflicts_return_no_ids_and_skip_the_taken_key():
    account = factories.client(balance="0")
    insert([_event(account, "rows:taken", n=1)])
    rows = [
        {
            "client_id": account.pk,
            "type": ClientEventType.BOOST_SETTLED,
            "key": key,
            "payload": payload,
            "occurred_at": T0,
        }
        for key, payload in (("rows:taken", {"n": 2}), ("rows:new", {"n": 3}))
    ]
    assert insert_rows(ClientEvent, rows, ignore_conflicts=True) == []
    assert dict(
        ClientEvent.objects.filter(key__startswith="rows:").values_list("key", "payload__n")
    ) == {"rows:taken": 1, "rows:new": 3}
