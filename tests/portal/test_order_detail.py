"""The order page: one boost card per line, in every state, with the boost's own numbers."""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import selectors, services
from orders.models import Boost, OrderLine
from orders.services import SnapshotIn
from settlements import services as settlement_services
from settlements.models import Settlement
from tests import factories
from tests.factories import T0

from .conftest import (
    PUBLISHED,
    active_boost,
    at,
    cancelled_boost,
    closed_boost,
    expired_boost,
)

pytestmark = pytest.mark.django_db


def card(portal, boost: Boost, *, now) -> str:
    """The HTML of the boost's card on its order page, rendered at ``now``."""
    order = boost.line.order
    with at(now):
        # Log in at the page's instant: a session from the real "now" may have expired by then.
        portal.force_login(order.client.memberships.get().user)
        response = portal.get(reverse("portal:order_detail", args=[order.code]))
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(rf'<section class="card" id="line-{boost.line_id}".*?</section>', html, re.S)
    assert match, html
    return match.group(0)


def text(html: str) -> str:
    """The visible words, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_awaiting_publish_shows_the_deadline_and_the_refund_promise(portal, account):
    boost = factories.boost(account=account)
    html = card(portal, boost, now=T0 + timedelta(days=5))
    words = text(html)
    assert 'data-status="awaiting_publish"' in html and "badge-waiting" in html
    assert "Awaiting publish" in words
    assert "Expected views 20,000" in words
    assert "Valid until 2026-04-10 10:00" in words
    assert "26 days left to publish" in words  # one duration format: days and hours, no weeks
    assert "the fee ¥1,000.00 is refunded within 7 working days" in words
    assert "<svg" not in html  # nothing to chart before publish


def test_active_shows_progress_time_left_chart_and_projection(portal, account):
    boost = active_boost(account, hours=72, per_hour=150)  # 10,800 views after three days
    html = card(portal, boost, now=PUBLISHED + timedelta(days=3, minutes=30))
    words = text(html)
    assert "badge-active" in html and "Active" in words
    assert "10,800 / 20,000 expected" in words
    assert "54 % of the expected views" in words
    assert 'data-width="54.0"' in html
    assert "Published 2026-03-10 12:00" in words and "Boost ends 2026-03-24 12:00" in words
    assert "Time left 10 days, 23 hours" in words
    assert html.count("<svg") == 1 and 'class="observed"' in html and 'class="projection"' in html
    assert "Projected for day 14: about" in words
    # Steady growth of 3,600 a day projects well above the expected views.
    projected = int(re.search(r"about ([\d,]+) views", words).group(1).replace(",", ""))
    assert 45_000 < projected < 51_000
    assert (
        "Below about 91 % of the expected views (18,181 of 20,000), the whole boost fee of "
        "¥1,000.00 comes back" in words
    )


def test_active_without_enough_data_promises_a_projection_later(portal, account):
    boost = active_boost(account, hours=2)
    words = text(card(portal, boost, now=PUBLISHED + timedelta(hours=3)))
    assert "A projection for day 14 appears after 12 hours of view data." in words
    assert "300 / 20,000 expected" in words


def test_views_after_the_window_end_are_not_shown_as_progress(portal, account):
    boost = active_boost(account, hours=0)
    factories.views(
        boost,
        (boost.window_end - timedelta(hours=2), 15_000),
        (boost.window_end + timedelta(hours=5), 40_000),
    )
    words = text(card(portal, boost, now=boost.window_end + timedelta(hours=6)))
    assert "15,000 / 20,000 expected" in words
    assert "40,000" not in words


def test_awaiting_views_says_the_final_count_is_awaited(portal, account):
    boost = closed_boost(account, None)
    assert boost.status == Boost.Status.AWAITING_VIEWS
    html = card(portal, boost, now=boost.window_end + timedelta(hours=1))
    words = text(html)
    assert "badge-pending" in html and "Awaiting views data" in words
    assert "waiting for the final view count" in words
    assert "Settlement" not in words


def test_succeeded_shows_nothing_owed_with_the_filled_in_formula(portal, account):
    boost = closed_boost(account, 21_000)
    assert boost.status == Boost.Status.SUCCEEDED
    html = card(portal, boost, now=boost.window_end + timedelta(days=1))
    words = text(html)
    assert "badge-success" in html and "Succeeded" in words
    assert "21,000 / 20,000 expected" in words and 'data-width="100.0"' in html
    assert "Settlement: Nothing owed" in words
    assert "Settled views 21,000" in words and "Views so far" not in words
    assert "21,000 ≥ expected 20,000: nothing owed" in words
    assert "Amount ¥0.00" in words
    assert "Due by" not in words  # nothing to pay, no due date to show


def test_compensated_shows_formula_amount_due_date_and_payment(portal, account):
    boost = closed_boost(account, 19_500)
    assert boost.status == Boost.Status.COMPENSATED
    settlement = Settlement.objects.get(boost=boost)
    html = card(portal, boost, now=boost.window_end + timedelta(days=1))
    words = text(html)
    assert "badge-compensated" in html and "Compensated" in words
    assert "Settled views 19,500" in words and "Views so far" not in words
    assert "Settlement: Compensation" in words
    # (E − A)/1000 × (P + F)/(E/1000) = 500/1000 × ¥550.00 = ¥275.00, below the ¥1,000.00 cap.
    assert "(20,000 − 19,500)/1000 × ¥550.00 = ¥275.00; cap ¥1,000.00" in words
    assert "Amount ¥275.00" in words
    assert f"Due by {settlement.due_date:%Y-%m-%d}" in words
    assert "Paid Awaiting payment" in words
    settlement_services.pay_settlement(
        settlement=settlement, now=boost.window_end + timedelta(days=2)
    )
    words = text(card(portal, boost, now=boost.window_end + timedelta(days=3)))
    assert "Paid 2026-03-26 12:00" in words


def test_compensation_above_the_cap_says_the_cap_applied(portal, account):
    boost = closed_boost(account, 15_000)
    words = text(card(portal, boost, now=boost.window_end + timedelta(days=1)))
    assert (
        "(20,000 − 15,000)/1000 × ¥550.00 = ¥2,750.00; cap ¥1,000.00 applied → ¥1,000.00" in words
    )
    assert "Amount ¥1,000.00" in words


def test_a_provisional_due_date_is_marked(portal, account):
    boost = factories.boost(account=account, now=T0.replace(year=2026, month=12, day=20))
    settlement_services.expire(boost=boost, now=boost.valid_until + timedelta(minutes=1))
    settlement = Settlement.objects.get(boost=boost)
    assert settlement.due_date_provisional  # ends in January 2027, beyond the calendar library
    words = text(card(portal, boost, now=boost.valid_until + timedelta(days=1)))
    assert f"Due by {settlement.due_date:%Y-%m-%d} (provisional" in words


def test_expired_shows_the_refund_sentence(portal, account):
    boost = expired_boost(account)
    html = card(portal, boost, now=boost.valid_until + timedelta(days=1))
    words = text(html)
    assert "badge-closed" in html and "Expired" in words
    assert "Settlement: Refund" in words
    assert (
        "The video was not published within one month (by 2026-04-10 10:00), so the boost "
        "expired and the whole boost fee of ¥1,000.00 is refunded." in words
    )
    assert "Amount ¥1,000.00" in words
    assert "comes back" not in words  # the cap sentence is about views; there are none


def test_cancelled_shows_the_refund_sentence(portal, account):
    staff = get_user_model().objects.create_user("ops", password="x", is_staff=True)
    boost = cancelled_boost(account, staff)
    html = card(portal, boost, now=T0 + timedelta(days=2))
    words = text(html)
    assert "Cancelled" in words
    assert (
        "The boost was cancelled before the video was published, so the whole boost fee of "
        "¥1,000.00 is refunded." in words
    )
    assert "Influencer left" not in words  # the operator's note stays internal


def test_a_line_without_boost_says_so(portal, account):
    order = factories.order(account, [factories.influencer()], boost=False)
    with at(T0 + timedelta(days=1)):
        words = text(portal.get(reverse("portal:order_detail", args=[order.code])).content.decode())
    assert "No boost" in words and "bought without a boost" in words


def test_order_totals_add_up(portal, account):
    order = factories.order(
        account, [factories.influencer(price="10000.00"), factories.influencer(price="5000.00")]
    )
    with at(T0 + timedelta(days=1)):
        words = text(portal.get(reverse("portal:order_detail", args=[order.code])).content.decode())
    assert "Fixed prices ¥15,000.00" in words
    assert "Boost fees (2 boosts) ¥1,500.00" in words


# --- Query count --------------------------------------------------------------------------------


def order_with_active_boosts(account, lines: int, snapshots: int):
    """An order of ``lines`` published boosts with ``snapshots`` hourly view counts each."""
    order = factories.order(account, [factories.influencer() for _ in range(lines)])
    items = []
    for n, line in enumerate(OrderLine.objects.filter(order=order).order_by("pk")):
        services.publish(
            line=line, video_id=f"qc-{order.pk}-{n}", published_at=PUBLISHED, now=PUBLISHED
        )
        items += [
            SnapshotIn(f"qc-{order.pk}-{n}", PUBLISHED + timedelta(hours=h), 60 * h)
            for h in range(1, snapshots + 1)
        ]
    services.record_views(items=items, now=PUBLISHED + timedelta(hours=snapshots))
    return order


def queries_for(portal, order) -> int:
    url = reverse("portal:order_detail", args=[order.code])
    with at(PUBLISHED + timedelta(days=13)), CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = portal.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    print(f"{order.lines.count()} lines: {len(captured)} queries, {elapsed:.2f} s")
    return len(captured.captured_queries)


def test_order_page_costs_the_same_queries_for_5_or_20_lines(portal, account):
    factories.top_up(account, Decimal("1000000.00"), reason="Enough for 25 videos", now=T0)
    small = order_with_active_boosts(account, 5, 24)
    large = order_with_active_boosts(account, 20, 336)
    assert queries_for(portal, small) == queries_for(portal, large) <= 8


# --- Page weight --------------------------------------------------------------------------------


def test_order_page_of_50_lines_with_336_snapshots_each_stays_small(portal, account):
    factories.top_up(account, Decimal("1000000.00"), reason="Enough for 50 videos", now=T0)
    order = order_with_active_boosts(account, 50, 336)
    with at(PUBLISHED + timedelta(days=13)):
        response = portal.get(reverse("portal:order_detail", args=[order.code]))
    html = response.content.decode()
    # 386 KB before the charts were downsampled; the size is deterministic, unlike a timing.
    assert len(response.content) <= 100_000
    observed = re.findall(r'<path class="observed" d="([^"]*)"', html)
    assert len(observed) == 50
    # x y pairs: the first absolute, then relative steps
    assert all(len(re.findall(r"-?\d+", d)) // 2 <= selectors.CHART_POINTS for d in observed)
    assert re.search(r' d="[^"]*\d\.\d', html) is None  # coordinates in whole units
    assert html.count('id="days-14"') == 1  # one days axis for every chart
    assert html.count('href="#days-14-label"') == 50
    compressed = portal.get(
        reverse("portal:order_detail", args=[order.code]), headers={"accept-encoding": "gzip"}
    )
    assert compressed["Content-Encoding"] == "gzip"
    assert len(compressed.content) < len(response.content) / 5
    assert "Content-Encoding" not in response  # not to a client that did not ask
    axes = set(re.findall(r'<use class="tick" href="#(y-[0-9-]+)"/>', html))
    assert len(re.findall(r'<use class="tick" href="#y-', html)) == 50
    assert all(html.count(f'id="{axis}"') == 1 for axis in axes)  # each views axis drawn once
    assert html.count('class="legend"') == 1
