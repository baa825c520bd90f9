"""Back and submit again in a real browser: every money form charges once (issue 11, item 2).

For the admin top-up, the admin order and the portal order: fill the form, submit, press the
browser's Back button, submit again — the ledger holds exactly one charge (or credit) and the page
says it was already done. Playwright drives Debian's chromium against ``live_server``, as in
``test_browser.py``; screenshots go to ``test-output/browser/``.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import LedgerEntry, LedgerKind, Order
from tests import factories
from tests.browser import ADMIN_LOGIN, BROWSER_TEST, log_in
from tests.factories import MEMBER_PASSWORD, member_of

pytestmark = BROWSER_TEST

ROOT_PASSWORD = "root-Pass-123"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def admin_page(browser, live_server):
    """A superuser logged in to the admin, English UI."""
    get_user_model().objects.create_superuser("root", "root@example.com", ROOT_PASSWORD)
    context = browser.new_context(locale="en-US", viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "root", ROOT_PASSWORD, form=ADMIN_LOGIN)
    return context, page


def back_to_the_placed_order(page, form_url: str, account) -> Order:
    """Back from the placed order: the same form, which says the order was already placed."""
    page.go_back()
    assert page.url == form_url
    order = Order.objects.get(client=account)
    assert f"Order {order.code} was already placed" in page.inner_text("#already-done")
    return order


def assert_charged_once(account) -> None:
    """One order, charged its fixed price and its boost fee once."""
    assert Order.objects.filter(client=account).count() == 1
    rows = LedgerEntry.objects.filter(client=account, order__isnull=False)
    assert sorted(rows.values_list("kind", "amount")) == [
        (LedgerKind.BOOST_FEE, Decimal("-1000.00")),
        (LedgerKind.ORDER_CHARGE, Decimal("-10000.00")),
    ]


def test_admin_top_up_back_and_submit_again_credits_once(browser, live_server, shots):
    acme = factories.client(balance="0")
    context, page = admin_page(browser, live_server)
    page.goto(f"{live_server.url}{reverse('admin:orders_client_top_up', args=[acme.pk])}")
    assert "?form=" in page.url
    form_url = page.url
    page.fill("#id_amount", "1000.00")
    page.fill("#id_reason", "Bank transfer 0310")
    shots(page, "replay-01-admin-top-up")
    page.click("#top_up_form [type=submit]")
    page.wait_for_url(re.compile(r".*/admin/orders/client/\d+/change/$"))
    assert "Credited 1000.00" in page.inner_text(".messagelist")

    page.go_back()
    assert page.url == form_url  # the same form id, so the same key
    assert "was already credited" in page.inner_text("#already-done")
    shots(page, "replay-02-admin-top-up-after-back", full_page=True)
    page.click("#top_up_form [type=submit]")
    page.wait_for_url(re.compile(r".*/admin/orders/client/\d+/change/$"))
    assert "This top-up of ¥1,000.00 was already credited" in page.inner_text(".messagelist")
    shots(page, "replay-03-admin-top-up-submitted-again", full_page=True)

    credits = LedgerEntry.objects.filter(client=acme, kind=LedgerKind.TOP_UP)
    assert list(credits.values_list("amount", flat=True)) == [Decimal("1000.00")]
    context.close()


def test_admin_order_back_and_confirm_again_charges_once(browser, live_server, shots):
    now = timezone.now()
    account = factories.client(balance="50000.00", now=now)
    star = factories.influencer(price="10000.00", now=now)
    services.refresh_quotes(now=now)
    context, page = admin_page(browser, live_server)
    page.goto(f"{live_server.url}{reverse('admin:orders_client_place_order', args=[account.pk])}")
    page.check(f"#pick-{star.pk}")
    page.click("button[name=step]")
    page.wait_for_selector("#place_order_form")
    review_url = page.url
    page.check("input[name=lines-0-boost]")
    shots(page, "replay-04-admin-review", full_page=True)
    page.click("input[name=confirm]")
    page.wait_for_url(re.compile(r".*/admin/orders/order/\d+/change/$"))
    assert "is placed and paid" in page.inner_text(".messagelist")

    back_to_the_placed_order(page, review_url, account)
    shots(page, "replay-05-admin-review-after-back", full_page=True)
    page.click("input[name=confirm]")
    page.wait_for_url(re.compile(r".*/admin/orders/order/\d+/change/$"))
    assert "was already placed; nothing was charged again." in page.inner_text(".messagelist")
    shots(page, "replay-06-admin-order-confirmed-again", full_page=True)

    assert_charged_once(account)
    context.close()


@pytest.mark.parametrize(("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_portal_order_back_and_confirm_again_charges_once(
    browser,
    live_server,
    shots,
    device,
    viewport,
):
    now = timezone.now()
    account = factories.client(balance="50000.00", now=now)
    member_of(account, "alice")
    star = factories.influencer(price="10000.00", now=now)
    services.refresh_quotes(now=now)
    context = browser.new_context(
        locale="en-US", viewport=viewport, is_mobile=device == "phone", has_touch=device == "phone"
    )
    page = context.new_page()
    log_in(page, live_server, "alice", MEMBER_PASSWORD)

    page.goto(f"{live_server.url}{reverse('portal:order_new')}")
    assert "?form=" in page.url
    page.check(f"#pick-{star.pk}")
    page.click("button[name=step]")
    page.wait_for_selector("form#module")
    module_url = page.url
    page.check("form#module input.boost-tick")
    assert page.inner_text("[data-total=total]") == "¥11,000.00"
    shots(page, f"replay-07-portal-module-{device}", full_page=True)
    page.click("#confirm")
    page.wait_for_url(re.compile(r".*/orders/SB\d{6}-[0-9A-F]{6}/$"))
    assert "is placed and paid" in page.inner_text(".messages")

    order = back_to_the_placed_order(page, module_url, account)
    assert page.locator("form#module input.boost-tick").is_checked()  # the order as placed
    shots(page, f"replay-08-portal-module-after-back-{device}", full_page=True)
    page.click("#confirm")
    page.wait_for_url(re.compile(rf".*/orders/{order.code}/$"))
    assert "was already placed; nothing was charged again." in page.inner_text(".messages")
    shots(page, f"replay-09-portal-confirmed-again-{device}", full_page=True)

    assert_charged_once(account)
    context.close()
