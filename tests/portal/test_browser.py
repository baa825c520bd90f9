"""The portal in a real browser: Playwright driving Debian's chromium against ``live_server``.

Run with ``pytest -m browser`` (fixtures and setup: ``tests/browser.py``).
Chinese text is only legible in them with a CJK font installed (``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from orders import services
from orders.models import Order
from tests import factories
from tests.browser import BROWSER_TEST, log_in
from tests.factories import MEMBER_PASSWORD, member_of

pytestmark = BROWSER_TEST


def money(text: str) -> float:
    return float(re.sub(r"[^\d.\-]", "", text))


def test_client_orders_two_boosts_follows_progress_and_cannot_see_other_clients(
    browser, live_server, shots
):
    now = timezone.now()
    past = now - timedelta(days=3, hours=4)
    account = factories.client(balance="200000.00", now=past)
    member_of(account, "alice")
    # An order from three days ago, published and watched hourly since: a card with a chart.
    running = factories.order(account, [factories.influencer(now=past)], now=past)
    boost = running.lines.get().boost
    boost = factories.publish(boost, at=past + timedelta(hours=1))
    factories.views(
        boost,
        *[
            (past + timedelta(hours=1 + h), int(26_000 * (1 - 0.93**h)))
            for h in range(1, 3 * 24 + 2)
        ],
    )
    a = factories.influencer(price="10000.00", now=now)
    b = factories.influencer(price="8000.00", now=now)
    services.refresh_quotes(now=now)
    foreign = factories.order(factories.client(now=now), [factories.influencer(now=now)], now=now)

    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, device_scale_factor=1
    )
    page = context.new_page()

    # Log in.
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")
    shots(page, "01-login")
    page.fill("#id_username", "alice")
    page.fill("#id_password", MEMBER_PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/orders/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    shots(page, "02-orders", full_page=True)
    balance_before = money(page.inner_text(".balance-pill"))

    # Switch to English before ordering, so the rest reads in the source language.
    with page.expect_navigation():
        page.select_option("#language", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{live_server.url}/orders/"

    # Pick the two influencers, then the video boost module.
    page.click("nav.mainnav >> text=New order")
    page.check(f"#pick-{a.pk}")
    page.check(f"#pick-{b.pk}")
    shots(page, "03-pick", full_page=True)
    page.click("button[name=step]")
    page.wait_for_selector("form#module")
    boxes = page.locator("form#module input.boost-tick")
    assert boxes.count() == 2
    for i in range(2):
        boxes.nth(i).check()
    # The totals follow the ticks in the page (the server checks them again on confirm).
    assert page.inner_text("[data-total=fees]") == "¥1,800.00"
    assert page.inner_text("[data-total=total]") == "¥19,800.00"
    shots(page, "04-module", full_page=True)
    page.click("#confirm")
    page.wait_for_url(re.compile(r".*/orders/SB\d{6}-[0-9A-F]{6}/$"))
    order = Order.objects.exclude(pk=running.pk).get(client=account)
    assert order.code in page.url
    assert "is placed and paid" in page.inner_text(".messages")
    assert money(page.inner_text(".balance-pill")) == balance_before - 19_800
    assert page.locator("section.card .badge-waiting").count() == 2
    shots(page, "05-order-placed", full_page=True)

    # The running boost: progress card with its chart and projection.
    page.goto(f"{live_server.url}/orders/{running.code}/")
    card = page.locator(f"#line-{boost.line_id}")
    assert card.locator(".badge-active").count() == 1
    assert card.locator("svg.chart path.observed").count() == 1
    assert card.locator("svg.chart path.projection").count() == 1
    assert "Projected for day 14" in card.inner_text()
    shots(card, "06-boost-card")

    # Back to Chinese; the account page with its statement.
    with page.expect_navigation():
        page.select_option("#language", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.goto(f"{live_server.url}/account/")
    assert order.code in page.inner_text("#statement")
    shots(page, "07-account", full_page=True)

    # Another client's order is not there, exactly like an order that does not exist.
    response = page.goto(f"{live_server.url}/orders/{foreign.code}/")
    assert response.status == 404
    missing = page.request.get(f"{live_server.url}/orders/SB000000-000000/")
    assert missing.status == 404 and missing.body() == response.body()
    shots(page, "08-foreign-order-404")
    context.close()


def test_every_boost_state_on_one_order_page(browser, live_server, shots):
    """One order whose lines are in every state of DESIGN §5, built through the real services."""
    from settlements import services as settlement_services
    from settlements.models import Settlement

    now = timezone.now()
    placed = now - timedelta(days=32)
    account = factories.client(balance="500000.00", now=placed)
    member_of(account, "erin")
    people = [factories.influencer(price=p, now=placed) for p in ("10000.00",) * 6]
    order = factories.order(account, people, now=placed)
    active, waiting, succeeded, compensated, expired, cancelled = [
        line.boost for line in order.lines.order_by("pk")
    ]
    for boost in (waiting, succeeded, compensated):
        factories.publish(boost, at=placed + timedelta(hours=6))
    active = factories.publish(active, at=now - timedelta(days=3))
    factories.views(
        active,
        *[(active.window_start + timedelta(hours=h), 260 * h - h * h) for h in range(1, 73)],
    )
    for boost, final in ((succeeded, 23_400), (compensated, 15_000)):
        boost.refresh_from_db()
        start = boost.window_start
        factories.views(
            boost,
            *[(start + timedelta(hours=h), final * h // 335) for h in range(1, 336)],
        )
    settlement_services.cancel(
        boost=cancelled,
        actor=get_user_model().objects.create_user("ops", is_staff=True),
        reason="Influencer withdrew",
        now=placed + timedelta(days=2),
    )
    for boost in (waiting, succeeded, compensated):
        boost.refresh_from_db()
        settlement_services.close_window(boost=boost, now=boost.window_end + timedelta(minutes=5))
    settlement_services.expire(boost=expired, now=now)
    settlement_services.pay_settlement(
        settlement=Settlement.objects.get(boost=compensated), now=now - timedelta(days=10)
    )
    fresh = factories.order(account, [factories.influencer(now=now)], now=now)

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, "erin", MEMBER_PASSWORD)
    shots(page, "10-orders-all-states", full_page=True)
    page.goto(f"{live_server.url}/orders/{order.code}/")
    statuses = page.locator("section.card").evaluate_all(
        "cards => cards.map(c => c.dataset.status)"
    )
    assert statuses == [
        "active",
        "awaiting_views",
        "succeeded",
        "compensated",
        "expired",
        "cancelled",
    ]
    assert page.locator("svg.chart").count() == 4
    shots(page, "11-order-every-state", full_page=True)
    page.goto(f"{live_server.url}/orders/{fresh.code}/")
    assert page.locator("section.card[data-status=awaiting_publish]").count() == 1
    page.goto(f"{live_server.url}/account/")
    shots(page, "12-account-with-payouts", full_page=True)
    context.close()
