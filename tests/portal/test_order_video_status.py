"""The boost card's video status history (issue 15): removed, private, taken down, restored, and
how the frozen count was used, in English and in Chinese."""

from datetime import timedelta

import pytest
from django.utils import translation

from orders import services
from orders.services import VideoStatusIn
from settlements import services as settlement_services

from .conftest import PUBLISHED, active_boost
from .test_order_detail import card, text

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def status(boost, at, value):
    services.record_video_statuses(
        items=[VideoStatusIn(boost.line.platform_video_id, value, at)], now=at
    )


@pytest.fixture
def removed(account):
    """Counted 12,000 views on day 3, then removed by its creator on day 4 (12,500 reported)."""
    boost = active_boost(account, hours=0)
    boost.line.refresh_from_db()
    services.record_views(
        items=[services.SnapshotIn(boost.line.platform_video_id, PUBLISHED + 3 * DAY, 12_000)],
        now=PUBLISHED + 3 * DAY,
    )
    status(boost, PUBLISHED + 4 * DAY, "removed_by_creator")
    services.record_views(
        items=[services.SnapshotIn(boost.line.platform_video_id, PUBLISHED + 5 * DAY, 12_500)],
        now=PUBLISHED + 5 * DAY,
    )
    return boost


def test_a_removed_video_shows_when_and_the_frozen_count(portal, removed):
    words = text(card(portal, removed, now=PUBLISHED + 6 * DAY))
    assert "The video was removed by the influencer at 2026-03-14 12:00" in words
    assert "Views so far 12,000" in words
    assert "counted views stay at 12,000, the last count before the change" in words


def test_after_a_restore_the_history_shows_both_and_counting_resumes(portal, removed):
    status(removed, PUBLISHED + 6 * DAY, "restored")
    words = text(card(portal, removed, now=PUBLISHED + 7 * DAY))
    assert "The video was removed by the influencer at" in words
    assert "The video is visible again at 2026-03-16 12:00" in words
    assert "were not counted; the 14 days were not extended" in words


def test_a_creator_caused_compensation_says_who_pays_it_back(portal, removed):
    end = removed.window_end
    settlement = settlement_services.close_window(boost=removed, now=end + DAY)
    assert settlement.cause == "creator_caused"
    words = text(card(portal, removed, now=end + DAY))
    assert "the platform claims it back from the influencer" in words
    assert "Settled views 12,000" in words  # a settled card names its count (issue 17)


def test_the_card_speaks_chinese_with_the_issue_words(client, member, removed, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        words = text(card(client, removed, now=PUBLISHED + 6 * DAY))
    assert "视频已被达人删除 于 2026-03-14 12:00" in words
