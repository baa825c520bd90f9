"""The client account ledger (DESIGN §8): signed, append-only, idempotent, never negative."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from orders import selectors, services
from orders.models import LedgerEntry, LedgerKind
from orders.services import EntryIn, IdempotencyConflict, InsufficientBalance, OrderError
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db


def entry(account, kind, amount, key, **kw) -> EntryIn:
    return EntryIn(
        client_id=account.pk, kind=kind, amount=Decimal(amount), idempotency_key=key, **kw
    )


def test_repeated_key_posts_once():
    account = factories.client(balance="0")
    first = services.post_entry(entry=entry(account, LedgerKind.TOP_UP, "100.00", "k1"), now=T0)
    again = services.post_entry(entry=entry(account, LedgerKind.TOP_UP, "100.00", "k1"), now=T0)
    assert again.pk == first.pk
    assert LedgerEntry.objects.filter(client=account).count() == 1
    assert selectors.client_balance(account) == Decimal("100.00")


def test_repeated_key_with_different_content_is_a_conflict():
    account = factories.client(balance="0")
    services.post_entry(entry=entry(account, LedgerKind.TOP_UP, "100.00", "k1"), now=T0)
    with pytest.raises(IdempotencyConflict):
        services.post_entry(entry=entry(account, LedgerKind.TOP_UP, "100.01", "k1"), now=T0)
    assert LedgerEntry.objects.filter(client=account).count() == 1


def test_balance_never_goes_below_zero():
    account = factories.client(balance="50.00")
    before = factories.row_counts()
    with pytest.raises(InsufficientBalance, match="Insufficient balance"):
        services.post_entry(
            entry=entry(account, LedgerKind.ORDER_CHARGE, "-50.01", "charge"), now=T0
        )
    assert factories.row_counts() == before
    services.post_entry(entry=entry(account, LedgerKind.ORDER_CHARGE, "-50.00", "charge"), now=T0)
    assert selectors.client_balance(account) == Decimal("0.00")


@pytest.mark.parametrize(
    ("kind", "amount"),
    [
        (LedgerKind.TOP_UP, "-1.00"),
        (LedgerKind.COMPENSATION, "0.00"),
        (LedgerKind.BOOST_FEE, "5.00"),
        (LedgerKind.ADJUSTMENT, "0.00"),
        (LedgerKind.TOP_UP, "1.001"),
        ("gift", "1.00"),
    ],
)
def test_bad_entries_are_refused_with_a_clear_error(kind, amount):
    account = factories.client(balance="100.00")
    before = factories.row_counts()
    with pytest.raises(OrderError):
        services.post_entry(entry=entry(account, kind, amount, "bad"), now=T0)
    assert factories.row_counts() == before


def test_float_amounts_are_refused():
    account = factories.client(balance="0")
    with pytest.raises(OrderError, match="exact decimals"):
        services.top_up(client=account, amount=1.5, reason="x", idempotency_key="f", now=T0)


def test_top_up_needs_a_reason():
    account = factories.client(balance="0")
    with pytest.raises(OrderError, match="reason"):
        services.top_up(
            client=account, amount=Decimal("1"), reason=" ", idempotency_key="r", now=T0
        )


amounts = st.decimals(min_value=-5000, max_value=5000, places=2).filter(lambda d: d != 0)


class TestBalanceIsSumOfEntries(HypothesisTestCase):
    @settings(max_examples=30, deadline=None)
    @given(st.lists(amounts, max_size=25))
    def test_balance_equals_sum_of_entries_after_any_postings(self, postings):
        account = factories.client(balance="0")
        for n, amount in enumerate(postings):
            kind = LedgerKind.TOP_UP if amount > 0 else LedgerKind.ORDER_CHARGE
            try:
                services.post_entry(entry=entry(account, kind, amount, f"p{n}"), now=T0)
            except InsufficientBalance:
                pass
        rows = list(LedgerEntry.objects.filter(client=account).order_by("pk"))
        total = sum((e.amount for e in rows), Decimal("0.00"))
        assert selectors.client_balance(account) == total >= 0
        running = Decimal("0.00")
        for row in rows:
            running += row.amount
            assert row.balance_after == running >= 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_when_balance_covers_one_exactly_one_succeeds():
    people = [factories.influencer(), factories.influencer()]
    account = factories.client(balance="11000.00")  # one line + its boost fee
    barrier = threading.Barrier(2)
    outcomes = []

    def place(person, key):
        try:
            barrier.wait()
            factories.order(account, [person], key=key)
            outcomes.append("placed")
        except InsufficientBalance:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(p, f"k{n}")) for n, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["placed", "refused"]
    assert selectors.client_balance(account) == Decimal("0.00")
    assert min(LedgerEntry.objects.values_list("balance_after", flat=True)) >= 0
