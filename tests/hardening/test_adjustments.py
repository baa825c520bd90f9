"""Adjustments with rules (issue 11, item 3; DESIGN §8).

Approved adjustments keep a settlement's net (its amount plus its approved adjustments) within
[0, F]: refused at request and again at approval, under the settlement's lock. Finance writes a
note for the client apart from the internal reason; the client's order page shows the net and
each adjustment with its note, the statement the note, never the reason; ``reconcile`` agrees.

The default settlement owes ¥550.00 of a ¥1,000.00 fee (E = 20,000, 19,000 views counted).
"""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from orders import selectors as order_selectors
from orders import services as order_services
from orders.models import LedgerEntry, LedgerKind
from orders.services import EntryIn
from settlements import services
from settlements.models import Adjustment, Settlement
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db

INTERNAL = "Pipeline double-counted views; ticket FIN-4711"
NOTE = "Corrected view count for your video"


@pytest.fixture
def settlement(db) -> Settlement:
    return factories.compensation()


def request(settlement, amount: str, actor, *, note: str = NOTE) -> Adjustment:
    return factories.adjustment(settlement, amount, actor=actor, reason=INTERNAL, client_note=note)


def approve(adjustment, actor) -> Adjustment:
    return services.approve_adjustment(adjustment=adjustment, actor=actor, now=T0)


def refused_request(settlement, amount: str, actor, match: str, **kwargs) -> None:
    """The request is refused with ``match`` in its reason and writes nothing."""
    before = factories.row_counts()
    with pytest.raises(services.SettlementError, match=match):
        request(settlement, amount, actor, **kwargs)
    assert factories.row_counts() == before


# --- The band [0, F] at request --------------------------------------------------------------


@pytest.mark.parametrize("amount", ["999999999.99", "450.01"])
def test_an_adjustment_taking_the_net_above_the_fee_is_refused(settlement, finance_user, amount):
    refused_request(settlement, amount, finance_user, r"above its boost fee of ¥1,000\.00")


def test_the_refusal_names_the_largest_adjustment_allowed(settlement, finance_user):
    with pytest.raises(services.SettlementError) as refused:
        request(settlement, "500.00", finance_user)
    assert "from ¥550.00 to ¥1,050.00" in str(refused.value)
    assert "at most +¥450.00 can be added" in str(refused.value)
    with pytest.raises(services.SettlementError, match=r"at most −¥550\.00 can be taken back"):
        request(settlement, "-550.01", finance_user)


def test_adjustments_up_to_either_end_of_the_band_are_accepted(settlement, finance_user):
    assert request(settlement, "450.00", finance_user).status == Adjustment.Status.REQUESTED
    assert request(settlement, "-550.00", finance_user).status == Adjustment.Status.REQUESTED


def test_a_settlement_of_kind_none_can_only_be_adjusted_up_to_the_fee(finance_user):
    nothing_owed = factories.compensation(views_at_end=25_000)
    assert (nothing_owed.kind, nothing_owed.amount) == (Settlement.Kind.NONE, Decimal("0.00"))
    refused_request(nothing_owed, "1234.56", finance_user, "above its boost fee")
    refused_request(nothing_owed, "-0.01", finance_user, "below zero")
    assert request(nothing_owed, "1000.00", finance_user).amount == Decimal("1000.00")


def test_a_refund_can_only_be_adjusted_down(finance_user):
    refund = factories.refund()
    assert refund.amount == refund.boost_fee == Decimal("1000.00")
    refused_request(refund, "0.01", finance_user, "above its boost fee")
    assert request(refund, "-1000.00", finance_user).amount == Decimal("-1000.00")


def test_a_request_needs_a_note_for_the_client_apart_from_the_reason(settlement, finance_user):
    refused_request(settlement, "10.00", finance_user, "note for the client", note="  ")
    adjustment = request(settlement, "10.00", finance_user)
    assert (adjustment.reason, adjustment.client_note) == (INTERNAL, NOTE)


# --- The band again at approval --------------------------------------------------------------


def test_pending_requests_do_not_count_but_approval_rechecks_the_band(
    settlement, finance_user, second_finance_user
):
    """Each of three full requests fits alone; once one is approved the others no longer do."""
    first, second, third = (request(settlement, "450.00", finance_user) for _ in range(3))
    approve(first, second_finance_user)
    for late in (second, third):
        before = factories.row_counts()
        with pytest.raises(services.SettlementError, match="from ¥1,000.00 to ¥1,450.00"):
            approve(late, second_finance_user)
        assert factories.row_counts() == before
        late.refresh_from_db()
        assert (late.status, late.ledger_entry) == (Adjustment.Status.REQUESTED, None)
    assert LedgerEntry.objects.filter(kind=LedgerKind.ADJUSTMENT).count() == 1
    # Once the net is lowered again, a pending request fits and can be approved.
    approve(request(settlement, "-450.00", finance_user), second_finance_user)
    assert approve(second, second_finance_user).status == Adjustment.Status.APPROVED
    call_command("reconcile")


def test_reconcile_agrees_with_approved_adjustments_and_ignores_refused_ones(
    settlement, finance_user, second_finance_user
):
    approve(request(settlement, "-50.00", finance_user), second_finance_user)
    approve(request(settlement, "500.00", finance_user), second_finance_user)
    with pytest.raises(services.SettlementError):
        approve(request(settlement, "0.01", finance_user), second_finance_user)
    services.pay_settlement(settlement=settlement, now=T0 + timedelta(days=40))
    out = io.StringIO()
    call_command("reconcile", stdout=out)
    assert "agree" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_for_the_last_room_in_the_band_approve_exactly_one():
    settlement = factories.compensation()
    finance_user = factories.staff_in("Finance", "finance1")
    approvers = [factories.staff_in("Finance", f"finance{n}") for n in (2, 3)]
    pending = [request(settlement, "450.00", finance_user) for _ in approvers]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(adjustment, actor):
        try:
            barrier.wait()
            approve(adjustment, actor)
            outcomes.append("approved")
        except services.SettlementError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=pair) for pair in zip(pending, approvers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert LedgerEntry.objects.filter(kind=LedgerKind.ADJUSTMENT).count() == 1
    call_command("reconcile")


# --- The approval page -----------------------------------------------------------------------


def approval_page(http, adjustments, **data):
    return http.post(
        reverse("admin:settlements_adjustment_changelist"),
        {"action": "approve_adjustments", "_selected_action": [a.pk for a in adjustments], **data},
        follow=True,
    )


def test_the_approval_page_shows_the_net_and_the_balance_before_and_after(
    client, english, settlement, finance_user, second_finance_user
):
    account = settlement.boost.line.order.client
    balance = order_selectors.client_balance(account)
    up, down = (
        request(settlement, "100.00", finance_user),
        request(settlement, "-30.00", finance_user),
    )
    client.force_login(second_finance_user)
    before = factories.row_counts()

    page = approval_page(client, [up, down])
    assert page.status_code == 200 and not page.redirect_chain
    assert factories.row_counts() == before  # showing the page approves nothing
    text = page.content.decode()
    assert "Net of the settlement: ¥550.00 → ¥650.00" in text
    assert "Net of the settlement: ¥650.00 → ¥620.00" in text  # in the order they are approved
    assert f"Client balance: ¥{balance:,} → ¥{balance + 100:,}" in text
    assert NOTE in text

    done = approval_page(client, [up, down], apply="yes")
    assert [str(m) for m in done.context["messages"]] == ["2 adjustments approved and posted."]
    assert order_selectors.client_balance(account) == balance + Decimal("70.00")


def test_the_approval_page_says_which_adjustment_no_longer_fits(
    client, english, settlement, finance_user, second_finance_user
):
    first, second = (
        request(settlement, "450.00", finance_user),
        request(settlement, "1.00", finance_user),
    )
    client.force_login(second_finance_user)
    text = approval_page(client, [first, second]).content.decode()
    assert "from ¥1,000.00 to ¥1,001.00, above its boost fee" in text

    done = approval_page(client, [first, second], apply="yes")
    messages = [str(m) for m in done.context["messages"]]
    assert any("above its boost fee" in m for m in messages)
    assert "1 adjustment approved and posted." in messages
    assert Adjustment.objects.get(pk=second.pk).status == Adjustment.Status.REQUESTED


# --- What the client sees --------------------------------------------------------------------


@pytest.fixture
def adjusted(settlement, finance_user, second_finance_user):
    """The settlement, paid, with one approved adjustment (+¥100.00) and one rejected."""
    approve(request(settlement, "100.00", finance_user), second_finance_user)
    services.reject_adjustment(
        adjustment=request(settlement, "-20.00", finance_user, note="Rejected note"),
        actor=second_finance_user,
        reason="no",
        now=T0,
    )
    return settlement


@pytest.fixture
def member_client(client, adjusted, english):
    client.force_login(factories.member_of(adjusted.boost.line.order.client, "alice"))
    return client


def test_the_order_page_shows_the_net_amount_and_each_approved_adjustment(member_client, adjusted):
    page = member_client.get(
        reverse("portal:order_detail", args=[adjusted.boost.line.order.code])
    ).content.decode()
    assert "¥550.00" in page  # the settlement's own amount never changes
    assert "+¥100.00" in page and NOTE in page
    assert "Net amount" in page and "¥650.00" in page
    assert INTERNAL not in page and "Rejected note" not in page


def test_the_statement_shows_the_client_note_never_the_internal_reason(member_client, adjusted):
    page = member_client.get(reverse("portal:account")).content.decode()
    assert NOTE in page and INTERNAL not in page

    response = member_client.get(reverse("portal:statement_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    [adjustment_row] = [row for row in rows if row[1] == "Adjustment"]
    assert adjustment_row[2] == "100.00" and adjustment_row[-1] == NOTE
    assert INTERNAL not in text


def test_reconcile_reports_a_net_outside_the_band_written_past_the_service(
    settlement, finance_user, second_finance_user
):
    """An adjustment approved past the service (a script, a bad migration): ledger and rows
    match each other, yet ``reconcile`` no longer says "agree"."""
    line = settlement.boost.line
    entry = order_services.post_entry(
        entry=EntryIn(
            client_id=line.order.client_id,
            kind=LedgerKind.ADJUSTMENT,
            amount=Decimal("1000.00"),
            idempotency_key="past-the-service",
            order_id=line.order_id,
            boost_id=settlement.boost_id,
            reason="script",
        ),
        now=T0,
    )
    Adjustment.objects.create(
        settlement=settlement,
        amount=Decimal("1000.00"),
        reason="script",
        client_note="script",
        status=Adjustment.Status.APPROVED,
        requested_by=finance_user,
        requested_at=T0,
        decided_by=second_finance_user,
        decided_at=T0,
        ledger_entry=entry,
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 difference"):
        call_command("reconcile", stdout=out)
    assert f"settlement {settlement.pk}: net 1550.00" in out.getvalue()
