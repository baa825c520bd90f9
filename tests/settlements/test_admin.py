"""The finance admin (DESIGN §5–§8): read-only money, Finance-only actions, groups, calendar, CSV.

Settlements come from the real sweeps (``tests.factories``): E = 20,000, P = ¥10,000.00,
F = ¥1,000.00, so 19,000 actual views owe (20,000 − 19,000)/1000 × ¥550.00 = ¥550.00.
"""

from __future__ import annotations

import csv
import importlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Boost, LedgerEntry, LedgerKind
from settlements import services
from settlements.admin.exports import CSV_COLUMNS, CSV_HEADERS
from settlements.models import Adjustment, CalendarDay, Settlement, SettlementEvent
from tests import factories
from tests.factories import SHANGHAI

pytestmark = pytest.mark.django_db

FINANCE_ACTIONS = {"hold_payouts", "release_payouts", "request_adjustment"}
LATE_2026 = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def changelist(model: str, app: str = "settlements") -> str:
    return url(f"{app}_{model}_changelist")


def action_names(response) -> set[str]:
    """The actions the changelist offers (no action form at all when there are none)."""
    form = response.context["action_form"]
    return {name for name, _label in form.fields["action"].choices} if form else set()


def messages_of(response) -> list[str]:
    """The messages shown on the page a followed post ended on (showing them consumes them)."""
    return [str(m) for m in response.context["messages"]]


def run_action(client, model: str, action: str, pks, app: str = "settlements", **form):
    """Post an action as its intermediate page does (with ``apply``), or as the changelist
    does when there is no form."""
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], **form}
    if form:
        data["apply"] = "yes"
    else:
        data["index"] = "0"
    return client.post(changelist(model, app), data, follow=True)


def redirected(response) -> bool:
    return bool(response.redirect_chain)


def csv_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == [str(label) for label in CSV_HEADERS.values()]
    return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows]


def login(client, user):
    client.force_login(user)
    return client


# --- Groups -----------------------------------------------------------------------------------


def codenames(group: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=group).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_migration_creates_operations_and_finance_groups():
    operations, finance = codenames("Operations"), codenames("Finance")
    views = {
        f"{app}.view_{model._meta.model_name}"
        for app in ("orders", "settlements")
        for model in apps.get_app_config(app).get_models()
    }
    assert views - operations == {"orders.view_ledgerentry", "orders.view_integrationtoken"}
    edits = {
        f"{app}.{action}_{model}"
        for app, model in [
            ("orders", "influencer"),
            ("orders", "historyvideo"),
            ("orders", "clientmembership"),
            ("settlements", "calendarday"),
        ]
        for action in ("add", "change")
    }
    assert operations - views == edits | {"orders.change_boost", "orders.add_order"}

    assert finance == operations | {
        "settlements.change_settlement",
        "orders.view_ledgerentry",
        "orders.add_ledgerentry",  # top up
        "orders.change_pricingsetting",  # switch the live pricing model
    }
    append_only = {
        "settlements.delete_settlement",
        "settlements.delete_settlementevent",
        "settlements.delete_adjustment",
        "orders.delete_ledgerentry",
    }
    assert not append_only & (operations | finance)


def test_group_migration_is_idempotent_and_reversible():
    migration = importlib.import_module("settlements.migrations.0001_squashed_0012")
    before = {name: codenames(name) for name in ("Operations", "Finance")}
    editor = connection.schema_editor()

    migration.create_groups(apps, editor)
    assert {name: codenames(name) for name in before} == before
    migration.remove_groups(apps, editor)
    assert not Group.objects.filter(name__in=before).exists()
    migration.create_groups(apps, editor)
    assert {name: codenames(name) for name in before} == before


# --- Smoke: every page a superuser opens ------------------------------------------------------


def test_superuser_opens_every_settlements_page(admin_client, admin_user, now):
    compensation = factories.compensation(now=now)
    refund = factories.refund(now=now)
    adjustment = factories.adjustment(
        compensation, "10.00", actor=admin_user, now=now, reason="typo"
    )
    day, _changed = services.enter_calendar_day(
        day=date(2027, 1, 1), is_working_day=False, source="State Council", now=now
    )
    event = SettlementEvent.objects.filter(settlement=refund).first()
    order_code = compensation.boost.line.order.code

    for query in (
        "",
        f"?q={order_code}",
        f"?q={compensation.boost.line.influencer.name}",
        f"?q={compensation.boost.line.order.client.name}",
        "?kind__exact=compensation",
        "?status__exact=scheduled",
        "?due_date__gte=2026-01-01&due_date__lt=2027-01-01",
        "?overdue=yes",
        "?overdue=no",
        "?due_date_provisional__exact=1",
        "?cap_applied__exact=0",
        "?o=-6",
    ):
        response = admin_client.get(changelist("settlement") + query)
        assert response.status_code == 200, query
    response = admin_client.get(changelist("settlement") + f"?q={order_code}")
    assert list(response.context["cl"].result_list) == [compensation]

    pages = [
        url("settlements_settlement_change", compensation.pk),
        url("settlements_settlement_change", refund.pk),
        changelist("adjustment"),
        changelist("adjustment") + "?status__exact=requested",
        url("settlements_adjustment_change", adjustment.pk),
        changelist("settlementevent"),
        changelist("settlementevent") + "?type__exact=scheduled&q=" + order_code,
        url("settlements_settlementevent_change", event.pk),
        changelist("calendarday"),
        url("settlements_calendarday_add"),
        url("settlements_calendarday_change", day.pk),
        changelist("boost", "orders"),
        url("orders_boost_change", compensation.boost_id),
        url("orders_boost_change", refund.boost_id),
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page


def test_compensation_change_form_shows_the_formula_with_its_numbers(admin_client, english, now):
    settlement = factories.compensation(now=now, views_at_end=19_000)
    assert settlement.amount == Decimal("550.00")

    page = admin_client.get(url("settlements_settlement_change", settlement.pk)).content.decode()

    assert "(20,000 − 19,000)/1000 × ¥550.00 = ¥550.00; cap ¥1,000.00" in page
    # F / (P + F) = 1/11: the whole fee comes back below 10/11 of E.
    assert (
        "Below about 91 % of the expected views (about 18,181 of 20,000) "
        "the whole boost fee of ¥1,000.00 comes back."
    ) in page
    assert "19,000 views observed at" in page
    assert "Scheduled" in page  # the audit trail inline


def test_capped_compensation_says_the_cap_applied(admin_client, english, now):
    settlement = factories.compensation(now=now, views_at_end=10_000)
    page = admin_client.get(url("settlements_settlement_change", settlement.pk)).content.decode()
    assert "(20,000 − 10,000)/1000 × ¥550.00 = ¥5,500.00; cap ¥1,000.00 applied → ¥1,000.00" in page


def test_change_form_shows_the_expected_cpm_and_raw_amount_as_money(admin_client, english, now):
    settlement = factories.compensation(now=now, views_at_end=10_000)
    assert (settlement.expected_cpm, settlement.raw_amount) == (
        Decimal("550.0000"),
        Decimal("5500.000000"),
    )
    page = admin_client.get(url("settlements_settlement_change", settlement.pk)).content.decode()
    assert '<div class="readonly">¥550.00</div>' in page
    assert '<div class="readonly">¥5,500.00</div>' in page
    assert "550.0000" not in page and "5500.000000" not in page


def test_refund_change_form_says_why_the_fee_comes_back(admin_client, english, now):
    settlement = factories.refund(now=now)
    page = admin_client.get(url("settlements_settlement_change", settlement.pk)).content.decode()
    assert "The whole boost fee of ¥1,000.00 is refunded: the video was not published" in page


def test_paid_settlement_links_the_ledger_entry_that_paid_it(admin_client, english, now):
    settlement = factories.compensation(now=now)
    paid = services.pay_settlement(settlement=settlement, now=now + timedelta(days=20))
    page = admin_client.get(url("settlements_settlement_change", paid.pk)).content.decode()
    assert url("orders_ledgerentry_change", paid.ledger_entry_id) in page
    assert f"#{paid.ledger_entry_id} Compensation ¥550.00" in page


def test_overdue_filter_flags_unpaid_settlements_past_their_due_date(admin_client, now):
    late = factories.compensation(now=now)  # due 2026-04-02
    nothing_owed = factories.compensation(now=now, views_at_end=25_000)  # closed at once
    not_yet_due = factories.refund(now=now)  # expires 2026-04-10
    assert late.due_date == date(2026, 4, 2) and nothing_owed.status == Settlement.Status.CLOSED

    with time_machine.travel(datetime(2026, 4, 3, 12, 0, tzinfo=SHANGHAI), tick=False):
        overdue = admin_client.get(changelist("settlement") + "?overdue=yes")
        on_time = admin_client.get(changelist("settlement") + "?overdue=no")

    assert list(overdue.context["cl"].result_list) == [late]
    assert set(on_time.context["cl"].result_list) == {nothing_owed, not_yet_due}


def test_provisional_filter_finds_due_dates_in_an_unknown_year(admin_client, now):
    factories.refund(now=now)
    provisional = factories.refund(now=LATE_2026)
    response = admin_client.get(changelist("settlement") + "?due_date_provisional__exact=1")
    assert list(response.context["cl"].result_list) == [provisional]


def test_due_date_filter_offers_the_coming_week(admin_client, now):
    due_soon = factories.compensation(now=now)  # due 2026-04-02
    factories.refund(now=now)  # due 2026-04-21
    with time_machine.travel(datetime(2026, 3, 30, 12, 0, tzinfo=SHANGHAI), tick=False):
        page = admin_client.get(changelist("settlement"))
        assert "?due_date__gte=2026-03-30&amp;due_date__lt=2026-04-07" in page.content.decode()
        response = admin_client.get(
            changelist("settlement") + "?due_date__gte=2026-03-30&due_date__lt=2026-04-07"
        )
    assert list(response.context["cl"].result_list) == [due_soon]


@pytest.mark.parametrize("model", ["settlement", "settlementevent", "adjustment"])
def test_changelists_cost_the_same_queries_for_more_rows(admin_client, admin_user, now, model):
    def grow():
        settlement = factories.compensation(now=now)
        factories.adjustment(settlement, "1.00", actor=admin_user, now=now)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(changelist(model)).status_code == 200
        return len(captured)

    grow()
    one = queries()
    grow()
    grow()
    assert queries() == one


# --- CSV ---------------------------------------------------------------------------------------


def test_export_of_the_filtered_list_has_the_rows_columns_and_amounts(admin_client, now):
    compensation = factories.compensation(now=now)
    factories.refund(now=now)
    paid_at = now + timedelta(days=20)
    services.pay_settlement(settlement=compensation, now=paid_at)

    page = admin_client.get(changelist("settlement") + "?kind__exact=compensation")
    export = url("settlements_settlement_export_csv") + "?kind__exact=compensation"
    assert export in page.content.decode()

    response = admin_client.get(export)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    line = compensation.boost.line
    assert csv_rows(response) == [
        {
            "id": str(compensation.pk),
            "order_code": line.order.code,
            "client": line.order.client.name,
            "influencer": line.influencer.name,
            "kind": "compensation",
            "status": "paid",
            "expected_views": "20000",
            "actual_views": "19000",
            "fixed_price": "10000.00",
            "boost_fee": "1000.00",
            "expected_cpm": "550.0000",
            "raw_amount": "550.000000",
            "cap_applied": "false",
            "amount": "550.00",
            "due_date": "2026-04-02",
            "due_date_provisional": "false",
            "paid_at": "2026-03-30T10:00:00+08:00",
            "cause": "自然未达标",
            "recovery_status": "",
        }
    ]


def test_export_follows_the_search(admin_client, now):
    factories.compensation(now=now, name="Alice")
    refund = factories.refund(now=now, name="Bob")
    response = admin_client.get(url("settlements_settlement_export_csv") + "?q=Bob")
    assert [row["id"] for row in csv_rows(response)] == [str(refund.pk)]


def test_export_action_exports_the_selected_rows(admin_client, now):
    factories.compensation(now=now)
    refund = factories.refund(now=now)
    response = run_action(admin_client, "settlement", "export_selected_csv", [refund.pk])
    [row] = csv_rows(response)
    assert (row["id"], row["kind"], row["amount"], row["actual_views"]) == (
        str(refund.pk),
        "refund",
        "1000.00",
        "",
    )


# --- Permissions: Operations looks, Finance acts ----------------------------------------------


def test_operations_sees_settlements_but_not_the_money_actions(
    client, english, operations_user, now
):
    settlement = factories.compensation(now=now)
    login(client, operations_user)

    response = client.get(changelist("settlement"))
    assert response.status_code == 200
    assert "export_selected_csv" in action_names(response)
    assert not FINANCE_ACTIONS & action_names(response)
    assert client.get(url("settlements_settlement_change", settlement.pk)).status_code == 200

    response = run_action(client, "settlement", "hold_payouts", [settlement.pk], reason="mine")
    assert redirected(response) and messages_of(response) == ["No action selected."]
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.SCHEDULED
    assert not SettlementEvent.objects.filter(type=SettlementEvent.Type.HELD).exists()
    response = run_action(
        client, "settlement", "request_adjustment", [settlement.pk], amount="10.00", reason="x"
    )
    assert redirected(response) and not Adjustment.objects.exists()


def test_nobody_edits_a_settlement_through_its_form(client, finance_user, now):
    settlement = factories.compensation(now=now)
    login(client, finance_user)
    change = url("settlements_settlement_change", settlement.pk)
    page = client.get(change)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(change, {"note": "edited"}).status_code == 403
    assert Settlement.objects.get(pk=settlement.pk).note == settlement.note


def test_finance_holds_with_a_reason_and_releases(client, english, finance_user, now):
    settlement = factories.compensation(now=now)
    login(client, finance_user)
    assert FINANCE_ACTIONS <= action_names(client.get(changelist("settlement")))

    page = run_action(client, "settlement", "hold_payouts", [settlement.pk])
    assert not redirected(page) and "reason" in page.context["form"].fields
    refused = run_action(client, "settlement", "hold_payouts", [settlement.pk], reason=" ")
    assert not redirected(refused) and refused.context["form"].errors
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.SCHEDULED

    held = run_action(
        client, "settlement", "hold_payouts", [settlement.pk], reason="Client disputes views"
    )
    assert redirected(held)
    assert messages_of(held) == ["1 payout held."]
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.HELD
    event = SettlementEvent.objects.get(settlement=settlement, type=SettlementEvent.Type.HELD)
    assert (event.actor, event.actor_name) == (finance_user, "finance1")
    assert event.data["reason"] == "Client disputes views"

    released = run_action(client, "settlement", "release_payouts", [settlement.pk], reason="")
    assert messages_of(released) == ["1 payout released."]
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.SCHEDULED
    event = SettlementEvent.objects.get(settlement=settlement, type=SettlementEvent.Type.RELEASED)
    assert event.actor == finance_user


def test_holding_a_closed_settlement_is_refused_with_the_service_message(
    client, english, finance_user, now
):
    closed = factories.compensation(now=now, views_at_end=25_000)
    login(client, finance_user)
    response = run_action(client, "settlement", "hold_payouts", [closed.pk], reason="check")
    [message] = messages_of(response)
    assert message.endswith("Only a scheduled payout can be held.")
    assert Settlement.objects.get(pk=closed.pk).status == Settlement.Status.CLOSED


def test_adjustment_needs_a_second_finance_user(
    client, english, finance_user, second_finance_user, now
):
    settlement, other = factories.compensation(now=now), factories.compensation(now=now)
    login(client, finance_user)

    two = run_action(client, "settlement", "request_adjustment", [settlement.pk, other.pk])
    assert messages_of(two) == ["Select exactly one settlement to request an adjustment."]
    page = run_action(client, "settlement", "request_adjustment", [settlement.pk])
    assert set(page.context["form"].fields) == {"amount", "reason", "client_note"}
    run_action(
        client,
        "settlement",
        "request_adjustment",
        [settlement.pk],
        amount="100.00",
        reason="Views were miscounted",
        client_note="Recounted views",
    )
    adjustment = Adjustment.objects.get(settlement=settlement)
    assert (adjustment.amount, adjustment.requested_by) == (Decimal("100.00"), finance_user)

    own = run_action(client, "adjustment", "approve_adjustments", [adjustment.pk], apply="yes")
    [message] = messages_of(own)
    assert "The user who requested an adjustment cannot decide it." in message
    assert Adjustment.objects.get(pk=adjustment.pk).status == Adjustment.Status.REQUESTED
    assert not LedgerEntry.objects.filter(kind=LedgerKind.ADJUSTMENT).exists()

    login(client, second_finance_user)
    approved = run_action(client, "adjustment", "approve_adjustments", [adjustment.pk], apply="yes")
    assert messages_of(approved) == ["1 adjustment approved and posted."]
    [entry] = LedgerEntry.objects.filter(kind=LedgerKind.ADJUSTMENT)
    assert (entry.amount, entry.created_by) == (Decimal("100.00"), second_finance_user)
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.decided_by, adjustment.ledger_entry) == (
        Adjustment.Status.APPROVED,
        second_finance_user,
        entry,
    )


def test_rejecting_an_adjustment_asks_a_reason(client, finance_user, second_finance_user, now):
    adjustment = factories.adjustment(
        factories.compensation(now=now), "-5.00", actor=finance_user, now=now, reason="Duplicate"
    )
    login(client, second_finance_user)
    page = run_action(client, "adjustment", "reject_adjustments", [adjustment.pk])
    assert not redirected(page) and "reason" in page.context["form"].fields
    run_action(client, "adjustment", "reject_adjustments", [adjustment.pk], reason="Not needed")
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.decided_by) == (
        Adjustment.Status.REJECTED,
        second_finance_user,
    )
    event = SettlementEvent.objects.get(type=SettlementEvent.Type.ADJUSTMENT_REJECTED)
    assert event.data["reason"] == "Not needed"


def test_operations_cannot_decide_adjustments(client, operations_user, finance_user, now):
    adjustment = factories.adjustment(
        factories.compensation(now=now), "5.00", actor=finance_user, now=now
    )
    login(client, operations_user)
    assert not {"approve_adjustments", "reject_adjustments"} & action_names(
        client.get(changelist("adjustment"))
    )
    run_action(client, "adjustment", "approve_adjustments", [adjustment.pk])
    assert Adjustment.objects.get(pk=adjustment.pk).status == Adjustment.Status.REQUESTED


@pytest.mark.parametrize(
    "app, model",
    [
        ("settlements", "settlement"),
        ("settlements", "settlementevent"),
        ("settlements", "adjustment"),
        ("orders", "ledgerentry"),
    ],
)
def test_not_even_a_superuser_deletes_money_rows_in_the_admin(
    admin_client, admin_user, now, app, model
):
    settlement = services.pay_settlement(
        settlement=factories.compensation(now=now), now=now + timedelta(days=20)
    )
    adjustment = factories.adjustment(settlement, "1.00", actor=admin_user, now=now)
    row = {
        "settlement": settlement,
        "settlementevent": settlement.events.first(),
        "adjustment": adjustment,
        "ledgerentry": settlement.ledger_entry,
    }[model]

    assert admin_client.get(url(f"{app}_{model}_delete", row.pk)).status_code == 403
    assert (
        admin_client.post(url(f"{app}_{model}_delete", row.pk), {"post": "yes"}).status_code == 403
    )
    response = admin_client.get(changelist(model, app))
    assert "delete_selected" not in action_names(response)
    run_action(admin_client, model, "delete_selected", [row.pk], app=app, post="yes")
    assert type(row).objects.filter(pk=row.pk).exists()


def test_deleting_a_settlement_through_the_orm_is_refused(now):
    settlement = factories.compensation(now=now)
    with pytest.raises(ProtectedError):  # its audit events hold on to it
        Settlement.objects.filter(pk=settlement.pk).delete()
    assert Settlement.objects.filter(pk=settlement.pk).exists()


@pytest.mark.postgres
def test_deleting_a_settlement_in_sql_is_refused_by_the_trigger(now):
    settlement = factories.compensation(now=now)
    with pytest.raises(IntegrityError, match=f"settlement {settlement.pk} cannot be deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM settlements_settlement WHERE id = %s", [settlement.pk])
    assert Settlement.objects.filter(pk=settlement.pk).exists()


# --- Boosts: cancel and settle ----------------------------------------------------------------


def test_operations_cancels_a_boost_with_a_reason_and_the_fee_is_refunded(
    client, english, operations_user, now
):
    boost = factories.boost(now=now)
    login(client, operations_user)
    actions = action_names(client.get(changelist("boost", "orders")))
    assert "cancel_boosts" in actions and "settle_on_available_views" not in actions

    page = run_action(client, "boost", "cancel_boosts", [boost.pk], app="orders")
    assert not redirected(page) and "reason" in page.context["form"].fields
    done = run_action(
        client, "boost", "cancel_boosts", [boost.pk], app="orders", reason="Client withdrew"
    )

    assert messages_of(done) == ["1 boost cancelled; its fee will be refunded."]
    settlement = Settlement.objects.get(boost=boost)
    assert (settlement.kind, settlement.amount, settlement.note) == (
        Settlement.Kind.REFUND,
        Decimal("1000.00"),
        "Client withdrew",
    )
    assert Boost.objects.get(pk=boost.pk).status == Boost.Status.CANCELLED
    event = settlement.events.get()
    assert event.actor == operations_user
    page = client.get(url("settlements_settlement_change", settlement.pk)).content.decode()
    assert "the boost was cancelled before publish" in page and "Client withdrew" in page


def test_cancelling_a_published_boost_is_refused(client, english, operations_user, now):
    boost = factories.active_boost(now=now)
    login(client, operations_user)
    response = run_action(client, "boost", "cancel_boosts", [boost.pk], app="orders", reason="x")
    [message] = messages_of(response)
    assert "Only a boost awaiting publish can be cancelled" in message
    assert not Settlement.objects.exists()


def test_finance_settles_a_boost_stuck_without_views(client, english, finance_user, now):
    boost = factories.awaiting_views(now=now)
    assert boost.status == Boost.Status.AWAITING_VIEWS
    login(client, finance_user)
    page = client.get(url("orders_boost_change", boost.pk)).content.decode()
    assert "Finance can settle with the views available." in page

    response = run_action(
        client,
        "boost",
        "settle_on_available_views",
        [boost.pk],
        app="orders",
        reason="Platform lost the data",
    )

    assert messages_of(response) == ["1 boost settled."]
    settlement = Settlement.objects.get(boost=boost)
    assert (settlement.kind, settlement.actual_views, settlement.amount) == (
        Settlement.Kind.COMPENSATION,
        0,
        Decimal("1000.00"),
    )
    assert settlement.events.get().actor == finance_user
    page = client.get(url("orders_boost_change", boost.pk)).content.decode()
    assert url("settlements_settlement_change", settlement.pk) in page
    assert "Compensation ¥1,000.00, Scheduled" in page


def test_operations_cannot_settle_on_available_views(client, operations_user, now):
    boost = factories.awaiting_views(now=now)
    login(client, operations_user)
    run_action(client, "boost", "settle_on_available_views", [boost.pk], app="orders", reason="x")
    assert not Settlement.objects.exists()


# --- The official calendar --------------------------------------------------------------------


def add_day(client, day: str, *, working: bool = False, note: str = "", source: str = "notice"):
    data = {"date": day, "note": note, "source": source}
    if working:
        data["is_working_day"] = "on"
    return client.post(url("settlements_calendarday_add"), data, follow=True)


def test_entering_a_2027_holiday_recomputes_a_provisional_due_date(
    client, english, operations_user
):
    # Ended Fri 2026-12-25: Dec 28–31 (4), then 2027, unknown: Fri Jan 1 (5), Mon 4 (6), Tue 5 (7).
    settlement = factories.refund(now=LATE_2026)
    assert (settlement.due_date, settlement.due_date_provisional) == (date(2027, 1, 5), True)
    login(client, operations_user)

    response = add_day(client, "2027-01-01", note="New Year's Day", source="State Council")

    assert redirected(response)
    assert "1 due date was recomputed." in messages_of(response)
    settlement.refresh_from_db()
    # The date moves at once; it stays provisional until 2027 is marked complete (issue 17).
    assert (settlement.due_date, settlement.due_date_provisional) == (date(2027, 1, 6), True)
    day = CalendarDay.objects.get(date=date(2027, 1, 1))
    assert (day.is_working_day, day.created_by, day.source) == (
        False,
        operations_user,
        "State Council",
    )
    event = SettlementEvent.objects.get(type=SettlementEvent.Type.DUE_DATE_RECOMPUTED)
    assert (event.actor, event.data) == (
        operations_user,
        {"from": "2027-01-05", "to": "2027-01-06", "provisional": True},
    )


def test_a_day_cannot_be_entered_twice_and_its_date_is_fixed_once_entered(
    client, operations_user, now
):
    login(client, operations_user)
    add_day(client, "2027-02-06", working=True)
    again = add_day(client, "2027-02-06")
    assert not redirected(again) and again.context["adminform"].form.errors
    day = CalendarDay.objects.get()
    page = client.get(url("settlements_calendarday_change", day.pk))
    assert "date" not in page.context["adminform"].form.fields


def test_only_a_superuser_deletes_a_calendar_day(admin_client, client, operations_user, now):
    day, _changed = services.enter_calendar_day(
        day=date(2027, 1, 1), is_working_day=False, source="notice", now=now
    )
    login(client, operations_user)
    assert client.get(url("settlements_calendarday_delete", day.pk)).status_code == 403
    assert "delete_selected" not in action_names(client.get(changelist("calendarday")))

    response = admin_client.post(url("settlements_calendarday_delete", day.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()


def test_a_second_2027_holiday_moves_a_due_date_already_recomputed(client, operations_user):
    settlement = factories.refund(now=LATE_2026)
    login(client, operations_user)
    add_day(client, "2027-01-01")
    add_day(client, "2027-01-04")  # Dec 28–31 (4), Jan 5 (5), 6 (6), 7 (7)
    settlement.refresh_from_db()
    assert settlement.due_date == date(2027, 1, 7)


def test_deleting_the_only_2027_day_makes_its_due_dates_provisional_again(admin_client, now):
    settlement = factories.refund(now=LATE_2026)
    day, _changed = services.enter_calendar_day(
        day=date(2027, 1, 1), is_working_day=False, source="notice", now=now
    )
    admin_client.post(url("settlements_calendarday_delete", day.pk), {"post": "yes"})
    settlement.refresh_from_db()
    assert (settlement.due_date, settlement.due_date_provisional) == (date(2027, 1, 5), True)
