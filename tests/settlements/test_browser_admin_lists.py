"""The admin boost and settlement lists at 1366 px and on a 390 px phone, in Debian's chromium.

The page never scrolls sideways (``scrollWidth <= innerWidth``); the results table may scroll
inside its own box. Client names keep a readable width, due dates stay on one line, and the key
values are in the page. Screenshots go to ``test-output/browser/admin-*.png``; run with
``pytest -m browser``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests import factories
from tests.browser import BROWSER_TEST, LAPTOP, PHONE, assert_fits, open_admin

pytestmark = BROWSER_TEST

COMPANY = "杭州悦颜化妆品有限公司华东事业部"
PASSWORD = "s3cret-Pass!"


@pytest.fixture
def lists(db):
    """A running boost and a refund of a client with a long Chinese name."""
    now = timezone.now()
    account = factories.client(now=now - timedelta(days=40))
    account.name = COMPANY
    account.save(update_fields=["name"])
    factories.active_boost(now=now - timedelta(days=2), name="大学生省钱攻略", account=account)
    factories.refund(now=now - timedelta(days=40), name="茶艺师小雅")
    get_user_model().objects.create_superuser("ops", "ops@example.com", PASSWORD)


def _lines(page, selector: str) -> int:
    """How many lines the text of the first cell matching ``selector`` wraps onto."""
    return page.evaluate(
        """(sel) => { const range = document.createRange();
        range.selectNodeContents(document.querySelector(sel));
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size; }""",
        selector,
    )


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_admin_boost_list_fits_and_keeps_names_readable(browser, live_server, shots, lists, width):
    context, page = open_admin(browser, live_server, width, "/admin/orders/boost/", "ops", PASSWORD)
    text = page.inner_text("#result_list")
    assert COMPANY in text and "¥1,000.00" in text and "20,000" in text
    assert_fits(page)
    assert _lines(page, "#result_list td.field-client") <= 3
    assert page.locator("#result_list td.field-valid_until").first.is_visible()
    shots(page, f"admin-boosts-{width}", full_page=True)
    context.close()


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_admin_settlement_list_fits_and_keeps_due_dates_on_one_line(
    browser, live_server, shots, lists, width
):
    context, page = open_admin(
        browser, live_server, width, "/admin/settlements/settlement/", "ops", PASSWORD
    )
    text = page.inner_text("#result_list")
    assert "¥1,000.00" in text and "待支付" in text
    assert_fits(page)
    assert _lines(page, "#result_list td.field-due") == 1
    shots(page, f"admin-settlements-{width}", full_page=True)
    context.close()
