"""Issue 15 in Debian's chromium at 1366 px and 390 px: the client's boost card of a video its
creator removed (status history, frozen count, who pays back), and the admin's recovery cases and
influencer shortfall history. The page never scrolls sideways. Screenshots go to
``test-output/browser/shortfall-*.png``; run with ``pytest -m browser``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from orders import services as order_services
from orders.models import Boost
from orders.services import VideoStatusIn
from settlements import services
from settlements.models import RecoveryCase
from tests import factories
from tests.browser import BROWSER_TEST, LAPTOP, PHONE, assert_fits, open_admin, open_portal
from tests.factories import MEMBER_PASSWORD, member_of

pytestmark = BROWSER_TEST

PASSWORD = "s3cret-Pass!"
DAY = timedelta(days=1)


@pytest.fixture
def removed(db) -> Boost:
    """A boost published 16 days ago whose creator removed the video on day 10 at 18,200 views:
    settled ¥990.00 creator-caused, its recovery case open."""
    now = timezone.now()
    published = now - 16 * DAY
    account = factories.client(now=published - DAY)
    member_of(account, "alice")
    boost = factories.publish(
        factories.boost(now=published - DAY, name="删视频的达人", account=account), at=published
    )
    factories.views(boost, (published + 9 * DAY, 18_200))
    order_services.record_video_statuses(
        items=[VideoStatusIn(f"v_{boost.pk}", "removed_by_creator", published + 10 * DAY)],
        now=published + 10 * DAY,
    )
    factories.views(boost, (published + 13 * DAY, 19_400))
    services.close_window(boost=boost, now=boost.window_end + timedelta(minutes=1))
    get_user_model().objects.create_superuser("ops", "ops@example.com", PASSWORD)
    return boost


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_the_client_card_shows_the_removal_and_the_frozen_count(
    browser, live_server, shots, removed, width
):
    context, page = open_portal(browser, live_server, width, "alice", MEMBER_PASSWORD)
    page.goto(f"{live_server.url}/orders/{removed.line.order.code}/")
    card = page.locator(f"#line-{removed.line_id}")
    text = card.inner_text()
    assert "视频已被达人删除 于" in text
    assert "18,200" in text and "¥990.00" in text
    assert "平台将向达人追偿" in text
    assert_fits(page)
    card.scroll_into_view_if_needed()
    shots(page, f"shortfall-client-{width}", full_page=True)
    context.close()


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_the_admin_shows_recovery_cases_and_the_shortfall_history(
    browser, live_server, shots, removed, width
):
    path = reverse("admin:settlements_recoverycase_changelist")
    context, page = open_admin(browser, live_server, width, path, "ops", PASSWORD)
    text = page.inner_text("#result_list")
    assert "删视频的达人" in text and "¥990.00" in text
    assert_fits(page)
    shots(page, f"shortfall-admin-recoveries-{width}", full_page=True)
    case = RecoveryCase.objects.get()
    page.goto(
        f"{live_server.url}{reverse('admin:orders_influencer_change', args=[case.influencer_id])}"
    )
    assert "达人原因" in page.inner_text("#content")
    shots(page, f"shortfall-admin-influencer-{width}", full_page=True)
    context.close()
