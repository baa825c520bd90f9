"""Settlement services (DESIGN §5–§8): window close, expiry, cancel, payout, audit, corrections."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from orders import selectors as order_selectors
from orders.models import Boost, LedgerEntry, LedgerKind
from settlements import services, tasks
from settlements.models import Adjustment, ImmutableFieldError, Settlement, SettlementEvent
from tests import factories
from tests.factories import SHANGHAI, T0

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)
PUBLISHED = T0 + timedelta(days=2)
WINDOW_END = PUBLISHED + timedelta(days=14)


@pytest.fixture
def active():
    """An active boost: E = 20,000, P = ¥10,000.00, F = ¥1,000.00, published at PUBLISHED."""
    return factories.publish(factories.boost(), at=PUBLISHED)


@pytest.fixture
def user():
    return get_user_model().objects.create_user("finance1")


def close(boost, now):
    return services.close_window(boost=boost, now=now)


def status(boost) -> str:
    return Boost.objects.get(pk=boost.pk).status


def test_window_does_not_close_one_second_before_its_end(active):
    factories.views(active, (WINDOW_END - timedelta(hours=1), 30_000))
    assert close(active, WINDOW_END - SECOND) is None
    assert status(active) == Boost.Status.ACTIVE


def test_window_closes_exactly_at_its_end_and_at_one_second_after(active):
    factories.views(active, (WINDOW_END, 30_000))
    settlement = close(active, WINDOW_END)
    assert settlement.kind == Settlement.Kind.NONE
    assert (settlement.status, settlement.amount) == (Settlement.Status.CLOSED, Decimal("0.00"))
    assert status(active) == Boost.Status.SUCCEEDED
    assert close(active, WINDOW_END + SECOND).pk == settlement.pk


def test_shortfall_is_compensated_with_every_input_recorded(active):
    factories.views(active, (WINDOW_END - timedelta(hours=2), 19_000))
    s = close(active, WINDOW_END + SECOND)
    assert status(active) == Boost.Status.COMPENSATED
    assert (s.kind, s.status) == (Settlement.Kind.COMPENSATION, Settlement.Status.SCHEDULED)
    assert (s.expected_views, s.actual_views) == (20_000, 19_000)
    assert (s.fixed_price, s.boost_fee) == (Decimal("10000.00"), Decimal("1000.00"))
    assert s.expected_cpm == Decimal("550.0000")
    assert s.raw_amount == Decimal("550.000000")
    assert (s.amount, s.cap_applied) == (Decimal("550.00"), False)
    assert s.snapshot.views == 19_000
    assert s.snapshot_observed_at == WINDOW_END - timedelta(hours=2)
    assert s.formula_version == "v1"
    assert s.service_ended_at == WINDOW_END
    event = SettlementEvent.objects.get(settlement=s)
    assert (event.type, event.actor_name) == (SettlementEvent.Type.SCHEDULED, "system")


def test_compensation_is_capped_at_the_boost_fee(active):
    factories.views(active, (WINDOW_END, 18_000))  # raw = 2,000 × 11,000 / 20,000 = 1,100
    s = close(active, WINDOW_END)
    assert (s.raw_amount, s.amount, s.cap_applied) == (
        Decimal("1100.000000"),
        Decimal("1000.00"),
        True,
    )


def test_snapshot_after_window_end_never_counts(active):
    factories.views(active, (WINDOW_END - SECOND, 19_000), (WINDOW_END + SECOND, 50_000))
    s = close(active, WINDOW_END + timedelta(days=1))
    assert s.actual_views == 19_000


def test_stale_data_waits_in_awaiting_views_then_settles_when_fresh_data_arrives(active):
    stale_at = WINDOW_END - timedelta(hours=24) - SECOND
    factories.views(active, (stale_at, 25_000))
    assert close(active, WINDOW_END + SECOND) is None
    assert status(active) == Boost.Status.AWAITING_VIEWS
    assert close(active, WINDOW_END + timedelta(hours=1)) is None  # still nothing new
    factories.views(active, (WINDOW_END - timedelta(hours=24), 26_000))  # exactly 24 h: fresh
    s = close(active, WINDOW_END + timedelta(hours=2))
    assert (s.kind, s.actual_views) == (Settlement.Kind.NONE, 26_000)
    assert status(active) == Boost.Status.SUCCEEDED


def test_no_snapshot_at_all_waits_for_views(active):
    assert close(active, WINDOW_END) is None
    assert status(active) == Boost.Status.AWAITING_VIEWS


def test_finance_settles_a_stuck_boost_on_available_views_with_a_reason(active, user):
    factories.views(active, (PUBLISHED + timedelta(days=3), 19_000))
    close(active, WINDOW_END)
    with pytest.raises(services.SettlementError, match="reason"):
        services.settle_with_available_views(boost=active, actor=user, reason="", now=WINDOW_END)
    s = services.settle_with_available_views(
        boost=active, actor=user, reason="Platform data outage", now=WINDOW_END + timedelta(days=2)
    )
    assert (s.actual_views, s.amount, s.note) == (19_000, Decimal("550.00"), "Platform data outage")
    assert Boost.objects.get(pk=active.pk).events.last().actor_name == "finance1"


def test_expiry_at_valid_until_refunds_the_fee():
    boost = factories.boost()
    assert services.expire(boost=boost, now=boost.valid_until - SECOND) is None
    s = services.expire(boost=boost, now=boost.valid_until)
    assert status(boost) == Boost.Status.EXPIRED
    assert (s.kind, s.amount, s.service_ended_at) == (
        Settlement.Kind.REFUND,
        Decimal("1000.00"),
        boost.valid_until,
    )


def test_cancel_before_publish_refunds_and_after_publish_is_refused(active, user):
    boost = factories.boost()
    s = services.cancel(boost=boost, actor=user, reason="Brief withdrawn", now=T0 + SECOND)
    assert (status(boost), s.kind, s.amount) == ("cancelled", "refund", Decimal("1000.00"))
    assert services.cancel(boost=boost, actor=user, reason="again", now=T0).pk == s.pk
    with pytest.raises(services.SettlementError, match="awaiting publish"):
        services.cancel(boost=active, actor=user, reason="too late", now=T0)


def test_due_date_is_seventh_business_day_across_national_day():
    placed = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)
    boost = factories.boost(now=placed)
    factories.publish(boost, at=datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI))
    end = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)
    factories.views(boost, (end, 1_000))
    s = close(boost, end)
    # Sep 29, 30, [Oct 1–7 off], Oct 8, 9, Sat Oct 10 (make-up day), Oct 12, 13.
    assert (s.due_date, s.due_date_provisional) == (date(2026, 10, 13), False)


def test_due_date_in_2027_is_provisional_until_the_year_is_marked_complete(user):
    # Was "…until official days are entered": one entered day no longer makes 2027 known.
    placed = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    boost = factories.boost(now=placed)
    s = services.expire(boost=boost, now=boost.valid_until)  # valid until Jan 1 2027
    assert (s.due_date, s.due_date_provisional) == (date(2027, 1, 12), True)
    services.enter_calendar_day(
        day=date(2027, 1, 4), is_working_day=False, source="test notice", actor=user, now=placed
    )
    s.refresh_from_db()
    assert (s.due_date, s.due_date_provisional) == (date(2027, 1, 13), True)
    services.complete_calendar_year(year=2027, actor=user, now=placed)
    s.refresh_from_db()
    assert (s.due_date, s.due_date_provisional) == (date(2027, 1, 13), False)
    moved, finalised = s.events.filter(type=SettlementEvent.Type.DUE_DATE_RECOMPUTED)
    assert moved.data == {"from": "2027-01-12", "to": "2027-01-13", "provisional": True}
    assert finalised.data == {"from": "2027-01-13", "to": "2027-01-13", "provisional": False}


def test_payout_posts_exactly_one_credit_and_is_a_no_op_after(active):
    factories.views(active, (WINDOW_END, 19_000))
    s = close(active, WINDOW_END)
    account = active.line.order.client
    before = order_selectors.client_balance(account)
    for _ in range(3):
        services.pay_settlement(settlement=s, now=WINDOW_END + timedelta(hours=1))
    s.refresh_from_db()
    assert s.status == Settlement.Status.PAID
    assert s.paid_at == WINDOW_END + timedelta(hours=1)
    credit = LedgerEntry.objects.get(kind=LedgerKind.COMPENSATION)
    assert (credit.pk, credit.amount, credit.boost_id) == (s.ledger_entry_id, s.amount, active.pk)
    assert order_selectors.client_balance(account) == before + Decimal("550.00")
    assert s.events.filter(type=SettlementEvent.Type.PAID).count() == 1


def test_held_settlement_is_not_paid_until_released(active, user):
    factories.views(active, (WINDOW_END, 19_000))
    s = close(active, WINDOW_END)
    services.hold(settlement=s, actor=user, reason="Client dispute", now=WINDOW_END)
    assert tasks.pay_due(now=(WINDOW_END + SECOND).isoformat()) == {"batches": 0}
    services.release(settlement=s, actor=user, reason="Resolved", now=WINDOW_END)
    assert tasks.pay_due(now=(WINDOW_END + SECOND).isoformat()) == {"batches": 1, "paid": 1}
    types = list(s.events.values_list("type", "actor_name"))
    assert types == [
        ("scheduled", "system"),
        ("held", "finance1"),
        ("released", "finance1"),
        ("paid", "system"),
    ]


def test_money_fields_cannot_change_in_the_model_layer(active):
    factories.views(active, (WINDOW_END, 19_000))
    s = close(active, WINDOW_END)
    s.amount = Decimal("1.00")
    with pytest.raises(ImmutableFieldError):
        s.save()
    with pytest.raises(ImmutableFieldError):
        Settlement.objects.filter(pk=s.pk).update(amount=Decimal("1.00"))
    with pytest.raises(ImmutableFieldError):
        Settlement.objects.bulk_update([s], ["amount"])


@pytest.mark.postgres
def test_raw_sql_update_of_a_settlement_amount_fails_on_postgresql(active):
    from django.db import IntegrityError, transaction

    factories.views(active, (WINDOW_END, 19_000))
    s = close(active, WINDOW_END)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE settlements_settlement SET amount = 1 WHERE id = %s", [s.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM settlements_settlement WHERE id = %s", [s.pk])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE settlements_settlement SET note = 'ok' WHERE id = %s", [s.pk])


def proposed_adjustment(active, user, amount: str, reason: str):
    """``active`` settled at 19,000 views, an adjustment of it proposed by ``user``, and a second
    user to decide it: (settlement, adjustment, other)."""
    factories.views(active, (WINDOW_END, 19_000))
    settlement = close(active, WINDOW_END)
    other = get_user_model().objects.create_user("finance2")
    adjustment = factories.adjustment(settlement, amount, actor=user, now=WINDOW_END, reason=reason)
    return settlement, adjustment, other


def test_adjustment_needs_a_second_person_and_posts_one_entry(active, user):
    s, adjustment, other = proposed_adjustment(active, user, "25.00", "Late data")
    with pytest.raises(services.SettlementError, match="cannot decide"):
        services.approve_adjustment(adjustment=adjustment, actor=user, now=WINDOW_END)
    assert not LedgerEntry.objects.filter(kind=LedgerKind.ADJUSTMENT).exists()
    services.approve_adjustment(adjustment=adjustment, actor=other, now=WINDOW_END)
    services.approve_adjustment(adjustment=adjustment, actor=other, now=WINDOW_END)
    adjustment.refresh_from_db()
    assert adjustment.status == Adjustment.Status.APPROVED
    entry = LedgerEntry.objects.get(kind=LedgerKind.ADJUSTMENT)
    assert (entry.amount, entry.pk) == (Decimal("25.00"), adjustment.ledger_entry_id)
    s.refresh_from_db()
    assert s.amount == Decimal("550.00")  # the original never changes


def sweep_all(now):
    at = now.isoformat()
    return tasks.expire_unpublished(at), tasks.close_windows(at), tasks.pay_due(at)


def test_sweeps_settle_and_pay_everything_and_reruns_change_nothing(active):
    factories.views(active, (WINDOW_END, 19_000))
    expiring = factories.boost()
    later = WINDOW_END + timedelta(days=40)
    assert sweep_all(later) == (
        {"batches": 1, "expired": 1},
        {"batches": 1, "compensated": 1, "awaiting_views": 0},
        {"batches": 1, "paid": 2},
    )
    state = factories.row_counts(), list(LedgerEntry.objects.values_list("pk", "balance_after"))
    for _ in range(5):
        assert sweep_all(later) == ({"batches": 0},) * 3
    assert (
        factories.row_counts(),
        list(LedgerEntry.objects.values_list("pk", "balance_after")),
    ) == state
    assert status(expiring) == Boost.Status.EXPIRED
    call_command("reconcile")


def test_sweep_as_of_a_past_instant_replays_only_what_was_due_then(active):
    factories.views(active, (WINDOW_END, 19_000))
    assert tasks.close_windows(now=(WINDOW_END - SECOND).isoformat()) == {"batches": 0}
    assert tasks.close_windows(now=WINDOW_END.isoformat())["compensated"] == 1


def test_reconcile_fails_when_a_credit_pays_no_settlement(active):
    factories.views(active, (WINDOW_END, 19_000))
    sweep_all(WINDOW_END)
    call_command("reconcile")
    LedgerEntry.objects.create(
        client=active.line.order.client,
        kind=LedgerKind.COMPENSATION,
        amount=Decimal("0.01"),
        balance_after=order_selectors.client_balance(active.line.order.client) + Decimal("0.01"),
        idempotency_key="rogue",
        created_at=WINDOW_END,
    )
    with pytest.raises(Exception, match="1 difference"):
        call_command("reconcile")


@pytest.mark.postgres
def test_reconcile_fails_when_a_ledger_amount_is_tampered_with(active):
    factories.views(active, (WINDOW_END, 19_000))
    sweep_all(WINDOW_END)
    credit = LedgerEntry.objects.get(kind=LedgerKind.COMPENSATION)
    with connection.cursor() as cursor:  # what an attacker with table rights could do
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE orders_ledgerentry DISABLE TRIGGER ledger_entry_append_only")
        cursor.execute("UPDATE orders_ledgerentry SET amount = 550.01 WHERE id = %s", [credit.pk])
        cursor.execute("ALTER TABLE orders_ledgerentry ENABLE TRIGGER ledger_entry_append_only")
    with pytest.raises(Exception, match="difference"):
        call_command("reconcile")


def test_a_decided_adjustment_is_final_and_rejecting_needs_a_reason(active, user):
    _settlement, adjustment, other = proposed_adjustment(active, user, "-5.00", "Double count")
    with pytest.raises(services.SettlementError, match="reason"):
        services.reject_adjustment(adjustment=adjustment, actor=other, reason=" ", now=WINDOW_END)
    services.reject_adjustment(adjustment=adjustment, actor=other, reason="No", now=WINDOW_END)
    with pytest.raises(services.SettlementError, match="already decided"):
        services.approve_adjustment(adjustment=adjustment, actor=other, now=WINDOW_END)
    with pytest.raises(services.SettlementError, match="cannot decide"):
        services.reject_adjustment(adjustment=adjustment, actor=user, reason="No", now=WINDOW_END)
    assert not LedgerEntry.objects.filter(kind=LedgerKind.ADJUSTMENT).exists()


def test_a_later_official_day_moves_an_open_due_date_but_not_a_paid_one(user):
    placed = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    open_one = services.expire(boost=factories.boost(now=placed), now=placed + timedelta(days=31))
    paid = services.expire(boost=factories.boost(now=placed), now=placed + timedelta(days=31))
    services.pay_settlement(settlement=paid, now=placed + timedelta(days=31))
    day = {"source": "notice", "actor": user, "now": placed}
    services.enter_calendar_day(day=date(2027, 1, 1), is_working_day=False, **day)
    _, moved = services.enter_calendar_day(day=date(2027, 1, 4), is_working_day=False, **day)
    assert moved == 1
    open_one.refresh_from_db()
    paid.refresh_from_db()
    # Moved, and still provisional: 2027 is not marked complete (issue 17).
    assert (open_one.due_date, open_one.due_date_provisional) == (date(2027, 1, 13), True)
    assert (paid.due_date, paid.due_date_provisional) == (date(2027, 1, 12), True)
