"""The portal on a 390 px phone and a 1366 px laptop, in Debian's chromium (issue 17).

Every page: the page itself never scrolls sideways (``scrollWidth <= innerWidth``) and its key
values are on screen, not hidden in a table that scrolls. The header keeps "退出登录" on one line
and cuts a long company name instead of wrapping it; the 视频助推 module keeps expected views and
fee in view; the chart's labels are drawn at a readable size; the module's totals are written by
the same formatter as the server's (``kernel.display.yuan``). Screenshots go to
``test-output/browser/screen-*.png``; run with ``pytest -m browser``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kernel.display import yuan
from orders import selectors, services
from tests import factories
from tests.browser import BROWSER_TEST, LAPTOP, PHONE, assert_fits, open_portal
from tests.factories import MEMBER_PASSWORD, member_of

pytestmark = BROWSER_TEST

COMPANY = "杭州悦颜化妆品有限公司华东事业部"


@pytest.fixture
def shop(db):
    """A client with a long Chinese name: an order in progress with a chart, a settled one, and
    two influencers to order whose boosts cost more than the balance."""
    now = timezone.now()
    past = now - timedelta(days=3, hours=4)
    account = factories.client(balance="150000.00", now=past)
    account.name = COMPANY
    account.save(update_fields=["name"])
    member_of(account, "alice")
    running = factories.order(
        account,
        [factories.influencer(name=n, now=past) for n in ("大学生省钱攻略", "茶艺师小雅")],
        now=past,
    )
    boost = running.lines.order_by("pk").first().boost
    boost = factories.publish(boost, at=past + timedelta(hours=1))
    factories.views(
        boost,
        *[
            (past + timedelta(hours=1 + h), int(26_000 * (1 - 0.93**h)))
            for h in range(1, 3 * 24 + 2)
        ],
    )
    fresh = [
        factories.influencer(name=n, price="60000.00", now=now)
        for n in ("上海弄堂阿婆", "东北大花袄")
    ]
    services.refresh_quotes(now=now)
    return {"account": account, "running": running, "boost": boost, "fresh": fresh}


def assert_on_screen(page, selector: str, text: str | None = None) -> None:
    """Every element matching ``selector`` is visible and inside the screen's width."""
    items = page.locator(selector)
    assert items.count() > 0, selector
    width = page.evaluate("window.innerWidth")
    for i in range(items.count()):
        item = items.nth(i)
        assert item.is_visible(), f"{selector} #{i} is hidden"
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
            f"{selector} #{i} is off screen: {box} on a {width} px screen"
        )
        if text is not None:
            assert text in item.inner_text()


def assert_one_line(page, selector: str) -> None:
    """The element's text takes one line: no taller than 1.6 of its line height."""
    height, line = page.locator(selector).first.evaluate(
        """el => {
            const style = getComputedStyle(el);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
            return [el.getBoundingClientRect().height, line];
        }"""
    )
    assert height <= line * 1.6, f"{selector} wraps: {height:.0f} px high for a {line:.0f} px line"


def assert_header(page, *, forms: bool = True) -> None:
    assert_on_screen(page, ".balance-pill")
    assert_on_screen(page, "nav.mainnav a")
    assert_one_line(page, ".who")
    assert COMPANY in page.locator(".who").get_attribute("title")
    if forms:
        assert_on_screen(page, "form.logout button")
        assert_one_line(page, "form.logout button")


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_every_client_page_fits_the_screen(browser, live_server, shots, shop, width):
    context, page = open_portal(browser, live_server, width, "alice", MEMBER_PASSWORD)
    running, boost = shop["running"], shop["boost"]
    balance = yuan(selectors.client_balance(shop["account"]))

    # The orders list: each order a card on the phone, with its code, influencers and totals.
    page.goto(f"{live_server.url}/orders/")
    assert_fits(page)
    assert_header(page)
    assert page.inner_text(".balance-pill") == balance
    assert_on_screen(page, "#orders tbody td a", running.code)
    assert_on_screen(page, "#orders tbody td.num")
    assert "大学生省钱攻略、茶艺师小雅" in page.inner_text("#orders")
    shots(page, f"screen-{width}-orders", full_page=True)

    # Searching by influencer keeps the search in the box and finds the order.
    page.fill("#id_q", "茶艺师")
    with page.expect_navigation():
        page.click("#order-filter button[type=submit]")
    assert page.locator("#orders tbody tr").count() == 1
    assert_fits(page)

    # The account: filters, totals by kind, every statement row's amount on screen.
    page.goto(f"{live_server.url}/account/")
    assert_fits(page)
    assert_header(page)
    assert_on_screen(page, "#statement tbody td.num")
    assert_on_screen(page, "#kind-totals tbody td")
    assert_on_screen(page, "#top-up-link")
    shots(page, f"screen-{width}-account", full_page=True)

    # The order detail: the card's numbers and a chart whose labels can be read.
    page.goto(f"{live_server.url}/orders/{running.code}/")
    assert_fits(page)
    assert_header(page)
    card = f"#line-{boost.line_id}"
    assert_on_screen(page, f"{card} .bigviews")
    assert_on_screen(page, f"{card} dl.facts dd")
    # The tick labels are the page's shared axis drawn by a <use class="tick">: their font size
    # is the use's, in chart units, scaled with the chart (640 units wide).
    heights = page.locator(f"{card} svg.chart use.tick").evaluate_all(
        "uses => uses.map(u => parseFloat(getComputedStyle(u).fontSize)"
        " * u.ownerSVGElement.getBoundingClientRect().width / 640)"
    )
    assert heights and min(heights) >= 9, f"chart labels {min(heights):.1f} px high"
    time_left = page.locator(f"{card} dl.facts dd").nth(2).inner_text()
    assert re.fullmatch(r"1[01] 天 \d+ 小时", time_left), time_left
    shots(page, f"screen-{width}-order-detail", full_page=True)

    # Not found: the header and the balance stay.
    response = page.goto(f"{live_server.url}/orders/SB000000-000000/")
    assert response.status == 404
    assert_fits(page)
    assert_header(page, forms=False)
    shots(page, f"screen-{width}-not-found", full_page=True)

    # The password page: the header and the balance stay.
    page.goto(f"{live_server.url}/password/change/")
    assert_fits(page)
    assert_header(page)
    assert_on_screen(page, "#id_old_password")
    shots(page, f"screen-{width}-password", full_page=True)

    # The 视频助推 module: expected views and fee of every influencer on screen.
    a, b = shop["fresh"]
    page.goto(f"{live_server.url}/orders/new/?i={a.pk}&i={b.pk}&step=module")
    page.wait_for_selector("form#module")
    assert_fits(page)
    for column in (5, 7):  # expected views, boost fee
        assert_on_screen(page, f"form#module tbody tr > td:nth-child({column})")
    assert_on_screen(page, "#confirm")
    shots(page, f"screen-{width}-module", full_page=True)
    context.close()


def test_the_module_totals_are_written_like_the_server_writes_money(
    browser,
    live_server,
    shots,
    shop,
):
    context, page = open_portal(browser, live_server, PHONE, "alice", MEMBER_PASSWORD)
    a, b = shop["fresh"]
    page.goto(f"{live_server.url}/orders/new/?i={a.pk}&i={b.pk}&step=module")
    page.wait_for_selector("form#module")
    # One formatter: the script's agrees with kernel.display.yuan, the minus sign U+2212 included.
    samples = [0, 5, -500, 99, 123450, -123450, 100000000, -1, 18_738_700]
    written = page.evaluate("fens => fens.map(f => window.StarBoost.yuan(f))", samples)
    assert written == [yuan(Decimal(f) / 100) for f in samples]
    # Ticking both boosts costs more than the balance: the balance after reads −¥….
    boxes = page.locator("form#module input.boost-tick")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    fen = page.evaluate(
        """() => {
            const form = document.querySelector("form#module");
            const fees = [...form.querySelectorAll("input.boost-tick")]
                .reduce((sum, box) => sum + parseInt(box.dataset.feeFen, 10), 0);
            const fixed = parseInt(form.dataset.fixedFen, 10);
            return parseInt(form.dataset.balanceFen, 10) - fixed - fees;
        }"""
    )
    assert fen < 0
    after = page.inner_text("[data-total=after]")
    assert after == yuan(Decimal(fen) / 100) and after.startswith("\u2212¥"), after
    assert page.locator("[data-shortfall]").is_visible()
    assert_fits(page)
    shots(page, "screen-390-module-short", full_page=True)
    context.close()


def test_the_phone_pages_in_english(browser, live_server, shots, shop):
    context, page = open_portal(browser, live_server, PHONE, "alice", MEMBER_PASSWORD)
    with page.expect_navigation():
        page.select_option("#language", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_fits(page)
    assert_header(page)
    assert "Log out" == page.inner_text("form.logout button")
    shots(page, "screen-390-orders-en", full_page=True)
    page.goto(f"{live_server.url}/orders/{shop['running'].code}/")
    assert_fits(page)
    left = page.locator(f"#line-{shop['boost'].line_id} dl.facts dd").nth(2).inner_text()
    assert re.fullmatch(r"1[01] days, \d+ hours?", left), left
    shots(page, "screen-390-order-detail-en", full_page=True)
    # Logging out says so.
    page.click("form.logout button")
    page.wait_for_url(f"{live_server.url}/login/")
    assert "You are logged out." in page.inner_text(".messages")
    assert_fits(page)
    shots(page, "screen-390-logged-out-en")
    context.close()
