"""Placing an order (DESIGN §4, §5): re-quote, freeze, charge once, refuse bad input cleanly."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from orders import selectors, services
from orders.models import Boost, HistoryVideo, LedgerEntry, LedgerKind, Order
from orders.services import IdempotencyConflict, InsufficientBalance, LineRequest, OrderError
from tests import factories
from tests.factories import SHANGHAI, T0

pytestmark = pytest.mark.django_db


def test_order_charges_each_fixed_price_and_each_ticked_boost_fee():
    account = factories.client(balance="50000.00")
    a, b = factories.influencer(price="10000.00"), factories.influencer(price="8000.00")
    order, created = services.place_order(
        client=account,
        lines=[LineRequest(a.pk, boost=True), LineRequest(b.pk, boost=False)],
        idempotency_key="o1",
        now=T0,
    )
    assert created
    charges = sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount"), key=str)
    assert charges == [
        (LedgerKind.BOOST_FEE, Decimal("-1000.00")),
        (LedgerKind.ORDER_CHARGE, Decimal("-10000.00")),
        (LedgerKind.ORDER_CHARGE, Decimal("-8000.00")),
    ]
    assert selectors.client_balance(account) == Decimal("31000.00")
    boost = Boost.objects.get(line__order=order)
    assert (boost.expected_views, boost.premium_ratio, boost.boost_fee) == (
        20_000,
        Decimal("0.10"),
        Decimal("1000.00"),
    )
    assert boost.status == Boost.Status.AWAITING_PUBLISH
    assert boost.quote["expected_views"] == 20_000
    assert {i["video_id"] for i in boost.quote["inputs"]} == {
        v.platform_video_id for v in a.history_videos.all()
    }
    assert "E = 20,000" in boost.quote["explanation"]
    assert not Boost.objects.filter(line__influencer=b).exists()


def test_quote_is_frozen_when_history_changes_later():
    person = factories.influencer(price="10000.00")
    order = factories.order(factories.client(), [person])
    HistoryVideo.objects.filter(influencer=person).update(views=500)
    person.fixed_price = Decimal("99999.00")
    person.save()
    services.refresh_quotes(now=T0 + timedelta(days=1))
    boost = Boost.objects.select_related("line").get(line__order=order)
    assert (boost.expected_views, boost.boost_fee, boost.line.fixed_price) == (
        20_000,
        Decimal("1000.00"),
        Decimal("10000.00"),
    )


@pytest.mark.parametrize(
    ("placed", "valid_until"),
    [
        (
            datetime(2026, 1, 31, 12, 0, tzinfo=SHANGHAI),
            datetime(2026, 2, 28, 12, 0, tzinfo=SHANGHAI),
        ),
        (
            datetime(2028, 1, 31, 12, 0, tzinfo=SHANGHAI),
            datetime(2028, 2, 29, 12, 0, tzinfo=SHANGHAI),
        ),
        (
            datetime(2026, 3, 10, 9, 30, tzinfo=SHANGHAI),
            datetime(2026, 4, 10, 9, 30, tzinfo=SHANGHAI),
        ),
        (
            datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI),
            datetime(2027, 1, 31, 23, 0, tzinfo=SHANGHAI),
        ),
    ],
)
def test_valid_until_is_one_calendar_month_after_placing(placed, valid_until):
    person = factories.influencer(now=placed)
    order = factories.order(factories.client(now=placed), [person], now=placed)
    assert Boost.objects.get(line__order=order).valid_until == valid_until


def test_same_idempotency_key_returns_first_order_and_charges_once():
    account = factories.client(balance="30000.00")
    person = factories.influencer()
    first = factories.order(account, [person], key="same")
    again = factories.order(account, [person], key="same")
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert selectors.client_balance(account) == Decimal("19000.00")


def test_same_key_with_different_lines_is_a_conflict():
    account = factories.client()
    factories.order(account, [factories.influencer()], key="same")
    with pytest.raises(IdempotencyConflict):
        factories.order(account, [factories.influencer()], key="same")


def test_insufficient_balance_writes_nothing():
    account = factories.client(balance="10999.99")
    person = factories.influencer()
    before = factories.row_counts()
    with pytest.raises(InsufficientBalance, match="11000.00"):
        factories.order(account, [person])
    assert factories.row_counts() == before


def refused(account, lines, match):
    before = factories.row_counts()
    with pytest.raises(OrderError, match=match):
        services.place_order(client=account, lines=lines, idempotency_key="bad", now=T0)
    assert factories.row_counts() == before


def test_empty_order_is_refused():
    refused(factories.client(), [], "at least one")


def test_unknown_influencer_is_refused():
    refused(factories.client(), [LineRequest(987654)], "Unknown influencer")


def test_duplicate_influencer_is_refused():
    p = factories.influencer()
    refused(factories.client(), [LineRequest(p.pk), LineRequest(p.pk, boost=True)], "only once")


def test_price_shown_to_client_must_match():
    p = factories.influencer(price="10000.00")
    refused(factories.client(), [LineRequest(p.pk, fixed_price=Decimal("9000.00"))], "price")


def test_fee_shown_to_client_must_match():
    p = factories.influencer(price="10000.00")
    lines = [LineRequest(p.pk, boost=True, boost_fee=Decimal("900.00"))]
    refused(factories.client(), lines, "boost fee")


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"enabled": False}, "not enabled"),
        ({"views": (20_000, 20_000)}, "Not enough"),
        ({"views": (900, 900, 900)}, "too low"),
    ],
)
def test_ticked_boost_on_ineligible_influencer_is_refused_with_reason(kwargs, reason):
    p = factories.influencer(**kwargs)
    refused(factories.client(), [LineRequest(p.pk, boost=True)], reason)


def test_ineligible_influencer_can_still_be_ordered_without_boost():
    p = factories.influencer(enabled=False)
    order = factories.order(factories.client(), [p], boost=False)
    assert order.lines.count() == 1


def test_module_keeps_a_tick_only_where_boost_is_still_available():
    account = factories.client(balance="50000.00")
    offered, disabled = factories.influencer(), factories.influencer(enabled=False)
    preview = services.preview_module(
        client=account,
        influencer_ids=[offered.pk, disabled.pk],
        ticked={offered.pk, disabled.pk},
        now=T0,
    )
    assert [(i.pk, line.boost) for i, line, _q in preview.lines] == [
        (offered.pk, True),
        (disabled.pk, False),
    ]
    assert (preview.total_fees, preview.balance_after) == (Decimal("1000.00"), Decimal("29000.00"))


def test_order_code_takes_the_shanghai_date():
    """2026-12-02 05:34 in Beijing is still 2026-12-01 in UTC: the code says the client's day."""
    placed = datetime(2026, 12, 2, 5, 34, tzinfo=SHANGHAI)
    star = factories.InfluencerFactory()
    factories.make_history(star, [20000, 30000, 25000], placed)
    order = factories.make_order(factories.ClientFactory(), [star], now=placed)
    assert order.code.startswith("SB261202-")
