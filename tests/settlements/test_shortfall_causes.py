"""Shortfall causes (DESIGN §5, issue 15): frozen counts while a video is not live, the cause a
settlement records, recovery cases decided four-eyes, suspended boosts, held flagged counts.

The default boost: E = 20,000, P = ¥10,000.00, F = ¥1,000.00, so a shortfall of S views owes
S × ¥0.55 (capped at ¥1,000.00 from S = 1,819).
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from orders import selectors as order_selectors
from orders import services as order_services
from orders.models import Boost, Influencer, SnapshotFlag
from orders.pricing import IneligibleReason
from orders.services import VideoStatusIn
from settlements import causes, services
from settlements.models import RecoveryCase, Settlement, SettlementEvent
from settlements.services import SettlementError
from tests import factories
from tests.factories import T0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PUBLISHED = T0 + timedelta(days=2)
END = PUBLISHED + timedelta(days=14)
CLOSE = END + timedelta(minutes=1)
DAY = timedelta(days=1)


@pytest.fixture
def active() -> Boost:
    return factories.publish(factories.boost(), at=PUBLISHED)


def status(boost: Boost, *changes: tuple[datetime, str]) -> None:
    video = boost.line.platform_video_id or f"v_{boost.pk}"
    order_services.record_video_statuses(
        items=[VideoStatusIn(video, s, at) for at, s in changes], now=max(a for a, _ in changes)
    )


def close(boost: Boost) -> Settlement | None:
    return services.close_window(boost=boost, now=CLOSE)


def user(name: str):
    return get_user_model().objects.create_user(name)


# --- The pure rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "cause"),
    [
        ([], causes.NATURAL),
        ([(PUBLISHED + DAY, "removed_by_creator")], causes.CREATOR_CAUSED),
        ([(PUBLISHED + DAY, "private"), (PUBLISHED + 2 * DAY, "live")], causes.CREATOR_CAUSED),
        ([(PUBLISHED + DAY, "taken_down")], causes.PLATFORM_CAUSED),
        (
            [(PUBLISHED + DAY, "taken_down"), (PUBLISHED + 2 * DAY, "removed_by_creator")],
            causes.CREATOR_CAUSED,
        ),
        # At the window end exactly, or hidden and back before publish: nothing inside.
        ([(END, "removed_by_creator")], causes.NATURAL),
        ([(T0, "private"), (PUBLISHED, "restored")], causes.NATURAL),
        ([(T0, "private")], causes.CREATOR_CAUSED),
    ],
)
def test_shortfall_cause_is_decided_by_the_status_inside_the_window(events, cause):
    assert causes.shortfall_cause(events, window_start=PUBLISHED, window_end=END) == cause


def test_the_cause_rule_and_the_model_agree_on_what_is_not_live():
    from orders.models import LIVE, VideoStatus

    assert causes.NOT_LIVE == set(VideoStatus.values) - set(LIVE)


# --- Frozen counts -------------------------------------------------------------------------


def test_removal_then_restore_inside_the_window_counts_views_again_after_restore(active):
    factories.views(active, (PUBLISHED + 3 * DAY, 10_000))
    status(active, (PUBLISHED + 4 * DAY, "removed_by_creator"))
    factories.views(active, (PUBLISHED + 5 * DAY, 15_000))  # reported while removed: frozen
    counted = order_selectors.counted_snapshots(active.line_id, END)
    assert counted.first().views == 10_000
    status(active, (PUBLISHED + 6 * DAY, "restored"))
    factories.views(active, (END - timedelta(hours=1), 19_500))
    settlement = close(active)
    assert settlement.actual_views == 19_500
    assert settlement.amount == Decimal("275.00")  # 500 × ¥0.55
    assert settlement.cause == Settlement.Cause.CREATOR_CAUSED
    assert settlement.recovery.amount == Decimal("275.00")


def test_a_snapshot_at_the_removal_instant_does_not_count_and_one_at_restore_does(active):
    factories.views(active, (PUBLISHED + DAY, 5_000))
    status(active, (PUBLISHED + 2 * DAY, "private"), (PUBLISHED + 3 * DAY, "live"))
    factories.views(active, (PUBLISHED + 2 * DAY, 6_000), (PUBLISHED + 3 * DAY, 7_000))
    counted = order_selectors.counted_snapshots(active.line_id, END)
    assert list(counted.values_list("views", flat=True)) == [7_000, 5_000]


def test_a_video_removed_until_window_end_settles_on_its_frozen_count_on_time(active):
    factories.views(active, (PUBLISHED + 9 * DAY, 18_200))
    status(active, (PUBLISHED + 10 * DAY, "removed_by_creator"))
    factories.views(active, (END - timedelta(hours=1), 19_900))
    settlement = close(active)
    # The frozen snapshot is days old, yet the window closes at its end: it is not extended.
    assert settlement.snapshot_observed_at == PUBLISHED + 9 * DAY
    assert (settlement.actual_views, settlement.amount) == (18_200, Decimal("990.00"))
    assert Boost.objects.get(pk=active.pk).status == Boost.Status.COMPENSATED


def test_without_any_status_event_counting_is_unchanged(active):
    settlement = factories.settle_window(active, views_at_end=19_000)
    assert (settlement.amount, settlement.cause) == (Decimal("550.00"), Settlement.Cause.NATURAL)
    assert not RecoveryCase.objects.exists()


def test_nothing_owed_has_no_cause_even_after_a_removal(active):
    status(active, (PUBLISHED + DAY, "private"), (PUBLISHED + 2 * DAY, "restored"))
    settlement = factories.settle_window(active, views_at_end=25_000)
    assert (settlement.kind, settlement.cause) == (Settlement.Kind.NONE, "")


# --- Causes, recoveries and suspension -----------------------------------------------------


def test_a_creator_caused_shortfall_opens_a_recovery_and_suspends_the_influencer(active):
    factories.views(active, (PUBLISHED + 9 * DAY, 18_200))
    status(active, (PUBLISHED + 10 * DAY, "removed_by_creator"))
    settlement = close(active)
    case = RecoveryCase.objects.get()
    assert (case.settlement, case.amount, case.status) == (settlement, Decimal("990.00"), "open")
    assert case.influencer_id == active.line.influencer_id
    assert SettlementEvent.objects.filter(
        settlement=settlement, type=SettlementEvent.Type.RECOVERY_OPENED
    ).exists()
    person = Influencer.objects.get(pk=active.line.influencer_id)
    assert person.boost_suspended_until == CLOSE + timedelta(days=30)
    assert person.quote["reason"] == IneligibleReason.SUSPENDED
    assert "removed or hidden" in person.quote["explanation"]
    ends = CLOSE + timedelta(days=30)
    before, then = (
        order_selectors.quote_influencers([person], now=at)[person.pk].reason
        for at in (ends - timedelta(seconds=1), ends)
    )
    assert (before, then) == (IneligibleReason.SUSPENDED, IneligibleReason.NOT_ENOUGH_HISTORY)


def test_the_suspension_length_is_a_setting(active, settings):
    settings.BOOST_SUSPENSION_DAYS = 7
    status(active, (PUBLISHED + DAY, "private"))
    factories.views(active, (PUBLISHED + DAY - timedelta(hours=1), 1_000))
    close(active)
    person = Influencer.objects.get(pk=active.line.influencer_id)
    assert person.boost_suspended_until == CLOSE + timedelta(days=7)


def test_a_platform_take_down_is_platform_caused_with_no_recovery(active):
    factories.views(active, (PUBLISHED + 9 * DAY, 18_200))
    status(active, (PUBLISHED + 10 * DAY, "taken_down"))
    settlement = close(active)
    assert (settlement.cause, settlement.amount) == ("platform_caused", Decimal("990.00"))
    assert not RecoveryCase.objects.exists()
    assert Influencer.objects.get(pk=active.line.influencer_id).boost_suspended_until is None


def test_finance_settling_without_fresh_views_records_the_cause_too(active):
    factories.views(active, (PUBLISHED + DAY, 1_000))
    status(active, (PUBLISHED + 2 * DAY, "private"), (PUBLISHED + 3 * DAY, "live"))
    assert close(active) is None  # restored, then no fresh data: it waits for views
    settlement = services.settle_with_available_views(
        boost=active, actor=user("fin"), reason="pipeline lost", now=CLOSE
    )
    assert (settlement.amount, settlement.cause) == (Decimal("1000.00"), "creator_caused")
    assert settlement.recovery.amount == Decimal("1000.00")


@pytest.fixture
def case(active) -> RecoveryCase:
    factories.views(active, (PUBLISHED + 9 * DAY, 18_200))
    status(active, (PUBLISHED + 10 * DAY, "removed_by_creator"))
    close(active)
    return RecoveryCase.objects.get()


def test_a_recovery_is_decided_by_a_second_finance_user(case):
    first, second = user("fin1"), user("fin2")
    services.propose_recovery_decision(
        case=case, decision="recovered", reason="deducted from payout", actor=first, now=CLOSE
    )
    with pytest.raises(SettlementError, match="cannot decide"):
        services.approve_recovery_decision(case=case, actor=first, now=CLOSE)
    decided = services.approve_recovery_decision(case=case, actor=second, now=CLOSE)
    assert (decided.status, decided.decided_by, decided.proposed_reason) == (
        "recovered",
        second,
        "deducted from payout",
    )
    # Repeating the decision is a no-op; any other step on a decided case is refused.
    assert services.approve_recovery_decision(case=case, actor=second, now=CLOSE).pk == case.pk
    with pytest.raises(SettlementError, match="already decided"):
        services.propose_recovery_decision(
            case=case, decision="waived", reason="x", actor=first, now=CLOSE
        )
    types = list(
        SettlementEvent.objects.filter(settlement=case.settlement).values_list("type", flat=True)
    )
    assert types[-2:] == ["recovery_proposed", "recovery_decided"]


def test_a_rejected_proposal_leaves_the_case_open_for_another(case):
    first, second = user("fin1"), user("fin2")
    services.propose_recovery_decision(
        case=case, decision="waived", reason="goodwill", actor=first, now=CLOSE
    )
    with pytest.raises(SettlementError, match="needs a reason"):
        services.reject_recovery_decision(case=case, actor=second, reason=" ", now=CLOSE)
    services.reject_recovery_decision(case=case, actor=second, reason="no grounds", now=CLOSE)
    case.refresh_from_db()
    assert (case.status, case.proposed_status, case.proposed_by) == ("open", "", None)
    services.propose_recovery_decision(
        case=case, decision="waived", reason="platform error after all", actor=second, now=CLOSE
    )
    assert services.approve_recovery_decision(case=case, actor=first, now=CLOSE).status == "waived"


@pytest.mark.parametrize(
    ("decision", "reason", "message"),
    [("open", "x", "recovered or waived"), ("waived", " ", "needs a reason")],
)
def test_a_bad_proposal_is_refused_and_writes_nothing(case, decision, reason, message):
    clerk = user("fin1")
    before = factories.row_counts()
    with pytest.raises(SettlementError, match=message):
        services.propose_recovery_decision(
            case=case, decision=decision, reason=reason, actor=clerk, now=CLOSE
        )
    assert factories.row_counts() == before
    assert RecoveryCase.objects.get().proposed_status == ""


# --- Suspicious counts hold the payout -----------------------------------------------------


def test_a_count_lower_than_an_earlier_one_is_stored_flagged_and_holds_the_payout(active):
    factories.views(active, (PUBLISHED + 5 * DAY, 19_500))
    factories.views(active, (END - timedelta(hours=1), 19_000))
    flag = SnapshotFlag.objects.get()
    assert (flag.snapshot.views, flag.reason, flag.compared_views) == (19_000, "decrease", 19_500)
    settlement = close(active)
    assert (settlement.amount, settlement.status) == (Decimal("550.00"), Settlement.Status.HELD)
    held = SettlementEvent.objects.get(settlement=settlement, type=SettlementEvent.Type.HELD)
    assert "Suspicious" in held.data["reason"]
    services.pay_batch(now=CLOSE)
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.HELD
    services.release(settlement=settlement, actor=user("fin"), reason="checked", now=CLOSE)
    services.pay_batch(now=CLOSE)
    assert Settlement.objects.get(pk=settlement.pk).status == Settlement.Status.PAID


def test_a_flag_after_the_window_end_holds_nothing(active):
    factories.views(active, (END - timedelta(hours=1), 19_000), (END + timedelta(hours=1), 10))
    assert SnapshotFlag.objects.count() == 1
    assert close(active).status == Settlement.Status.SCHEDULED
