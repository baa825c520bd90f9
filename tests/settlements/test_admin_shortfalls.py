"""The admin of issue 15: recovery cases decided four-eyes by action, the influencer's shortfall
history, status events on their order line, flagged snapshots and the work queues."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services as order_services
from orders.models import Boost, OrderLine
from orders.services import VideoStatusIn
from settlements import insights, services
from settlements.models import RecoveryCase
from tests import factories
from tests.factories import T0

from .test_admin import action_names, changelist, login, messages_of, run_action

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PUBLISHED = T0 + timedelta(days=2)
END = PUBLISHED + timedelta(days=14)
CLOSE = END + timedelta(minutes=1)


def removed(boost: Boost, at) -> None:
    order_services.record_video_statuses(
        items=[VideoStatusIn(f"v_{boost.pk}", "removed_by_creator", at)], now=at
    )


@pytest.fixture
def case() -> RecoveryCase:
    """A creator-caused compensation of ¥990.00 (18,200 of 20,000 views, frozen) and its case."""
    boost = factories.publish(factories.boost(name="删视频的达人"), at=PUBLISHED)
    factories.views(boost, (PUBLISHED + timedelta(days=9), 18_200))
    removed(boost, PUBLISHED + timedelta(days=10))
    services.close_window(boost=boost, now=CLOSE)
    return RecoveryCase.objects.get()


def test_recovery_cases_have_their_own_list_with_filters(client, finance_user, case):
    response = login(client, finance_user).get(
        changelist("recoverycase"), {"status__exact": "open"}
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [case]
    page = response.content.decode()
    assert "删视频的达人" in page and "¥990.00" in page
    assert {"propose_recovered", "propose_waived", "approve_proposals", "reject_proposals"} <= (
        action_names(response)
    )
    assert (
        client.get(changelist("recoverycase"), {"status__exact": "waived"})
        .context["cl"]
        .result_count
        == 0
    )


def test_a_recovery_is_proposed_and_approved_by_two_finance_users(
    client, finance_user, second_finance_user, case
):
    login(client, finance_user)
    page = run_action(client, "recoverycase", "propose_recovered", [case.pk])
    assert "reason" in page.context["form"].fields
    run_action(client, "recoverycase", "propose_recovered", [case.pk], reason="Deducted")
    own = run_action(client, "recoverycase", "approve_proposals", [case.pk], apply="yes")
    assert "cannot decide it" in messages_of(own)[0]
    login(client, second_finance_user)
    done = run_action(client, "recoverycase", "approve_proposals", [case.pk], apply="yes")
    assert messages_of(done) == ["1 case decided."]
    case.refresh_from_db()
    assert (case.status, case.decided_by, case.proposed_by) == (
        "recovered",
        second_finance_user,
        finance_user,
    )


def test_operations_cannot_decide_recoveries(client, operations_user, case):
    response = login(client, operations_user).get(changelist("recoverycase"))
    assert response.status_code == 200
    assert not action_names(response) & {"propose_recovered", "approve_proposals"}


def test_the_settlement_page_shows_its_cause_and_recovery(client, finance_user, case):
    page = login(client, finance_user).get(
        reverse("admin:settlements_settlement_change", args=[case.settlement_id])
    )
    text = page.content.decode()
    assert "Creator-caused" in text and "recovery case" in text.lower()


def test_the_influencer_page_shows_its_shortfall_history(client, finance_user, case):
    page = login(client, finance_user).get(
        reverse("admin:orders_influencer_change", args=[case.influencer_id])
    )
    text = page.content.decode()
    assert "Shortfall history" in text and "Creator-caused" in text and "¥990.00" in text
    assert case.settlement.boost.line.order.code in text


def test_the_order_line_page_lists_its_video_status_events(client, finance_user, case):
    line = OrderLine.objects.get(pk=case.settlement.boost.line_id)
    page = login(client, finance_user).get(reverse("admin:orders_orderline_change", args=[line.pk]))
    assert "Removed by the creator" in page.content.decode()
    listing = client.get(changelist("videostatusevent", "orders"))
    assert listing.status_code == 200 and listing.context["cl"].result_count == 1


def test_flagged_snapshots_are_in_the_work_queue_and_their_list(client, finance_user):
    boost = factories.publish(factories.boost(), at=PUBLISHED)
    factories.views(boost, (PUBLISHED + timedelta(days=1), 5_000))
    factories.views(boost, (PUBLISHED + timedelta(days=2), 4_000))
    queue = {q.key: q for q in insights.work_queues(today=PUBLISHED.date())}["flagged_counts"]
    assert (queue.count, queue.urgent) == (1, True)
    listing = login(client, finance_user).get(queue.url)
    assert listing.context["cl"].result_count == 1
    assert "Lower than an earlier count" in listing.content.decode()


def test_open_recoveries_are_in_the_work_queue(case, finance_user):
    queue = {q.key: q for q in insights.work_queues(today=CLOSE.date())}["recoveries"]
    assert (queue.count, queue.urgent) == (1, False)
    services.propose_recovery_decision(
        case=case, decision="waived", reason="goodwill", actor=finance_user, now=CLOSE
    )
    queue = {q.key: q for q in insights.work_queues(today=CLOSE.date())}["recoveries"]
    assert queue.urgent and "1 proposal(s)" in queue.help
    assert case.amount == Decimal("990.00")


def test_the_boost_page_marks_snapshots_taken_while_the_video_was_removed(client, finance_user):
    boost = factories.publish(factories.boost(), at=PUBLISHED)
    factories.views(boost, (PUBLISHED + timedelta(days=1), 5_000))
    removed(boost, PUBLISHED + timedelta(days=2))
    factories.views(boost, (PUBLISHED + timedelta(days=3), 6_000))
    page = login(client, finance_user).get(reverse("admin:orders_boost_change", args=[boost.pk]))
    assert page.content.decode().count("video not live: does not count") == 1
