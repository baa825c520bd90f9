"""Insights of issue 15: compensation by cause, recoveries outstanding and recovered, and
influencers with repeated creator-caused shortfalls, to the fen."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders import services as order_services
from orders.models import Boost
from orders.services import VideoStatusIn
from settlements import insights, services
from settlements.insights.periods import Period
from settlements.models import RecoveryCase
from tests import factories
from tests.factories import T0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
DAY = timedelta(days=1)


def settle(boost: Boost, views: int, status: str | None) -> None:
    """Count ``views`` on day 9 and change the video's status on day 10, or with no status
    count them an hour before the end; then close the window."""
    published = boost.window_start
    observed = published + 9 * DAY if status else boost.window_end - timedelta(hours=1)
    factories.views(boost, (observed, views))
    if status:
        order_services.record_video_statuses(
            items=[VideoStatusIn(f"v_{boost.pk}", status, published + 10 * DAY)],
            now=published + 10 * DAY,
        )
    services.close_window(boost=boost, now=boost.window_end + timedelta(minutes=1))


def test_compensation_by_cause_and_recoveries_to_the_fen():
    boosts = [factories.publish(factories.boost(), at=T0 + DAY) for _ in range(4)]
    settle(boosts[0], 18_200, "removed_by_creator")  # 1,800 short: ¥990.00, creator
    settle(boosts[1], 19_000, "private")  # ¥550.00, creator
    settle(boosts[2], 19_800, "taken_down")  # ¥110.00, platform
    settle(boosts[3], 10_000, None)  # capped ¥1,000.00, natural
    first, second = (
        get_user_model().objects.create_user("f1"),
        get_user_model().objects.create_user("f2"),
    )
    case = RecoveryCase.objects.get(amount=Decimal("990.00"))
    services.propose_recovery_decision(
        case=case, decision="recovered", reason="paid back", actor=first, now=T0 + 20 * DAY
    )
    services.approve_recovery_decision(case=case, actor=second, now=T0 + 20 * DAY)
    period = Period(T0.date(), (T0 + 30 * DAY).date())
    causes = {
        row.cause: (row.compensated, row.compensation)
        for row in insights.queries.compensation_by_cause(period=period)
    }
    assert causes == {
        "natural": (1, Decimal("1000.00")),
        "creator_caused": (2, Decimal("1540.00")),
        "platform_caused": (1, Decimal("110.00")),
    }
    recoveries = {
        r.status: (r.cases, r.amount) for r in insights.queries.recoveries_by_status(period=period)
    }
    assert recoveries == {
        "open": (1, Decimal("550.00")),
        "recovered": (1, Decimal("990.00")),
        "waived": (0, Decimal("0.00")),
    }
    assert insights.queries.repeat_creators(period=period) == []  # four different influencers


def test_an_influencer_with_two_creator_caused_shortfalls_is_listed(settings):
    settings.BOOST_SUSPENSION_DAYS = 0
    person = factories.influencer(name="反复删视频")
    account = factories.client()
    for start in (T0, T0 + 20 * DAY):
        factories.top_up(account, Decimal("11000.00"), now=start)
        placed = factories.order(account, [person], now=start)
        boost = factories.publish(Boost.objects.get(line__order=placed), at=start + DAY)
        settle(boost, 18_200 if start == T0 else 19_000, "removed_by_creator")
    period = Period(T0.date(), (T0 + 60 * DAY).date())
    [row] = insights.queries.repeat_creators(period=period)
    assert (row.name, row.shortfalls, row.compensation, row.outstanding) == (
        "反复删视频",
        2,
        Decimal("1540.00"),
        Decimal("1540.00"),
    )


def test_the_insights_page_shows_the_three_tables(admin_client):
    page = admin_client.get(reverse("insights:index"))
    assert page.status_code == 200
    text = page.content.decode()
    for title in (
        "Compensation by cause",
        "Recovery cases opened in the period",
        "Influencers with repeated creator-caused shortfalls",
    ):
        assert title in text
