"""The calibration report and the book at 1366 px and on a 390 px phone, in Debian's chromium.

The page never scrolls sideways (tables scroll inside their own box) and the charts are drawn.
Screenshots go to ``test-output/browser/insights-calibration-*.png`` and
``insights-book-*.png``; run with ``pytest -m browser``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from tests import factories
from tests.browser import BROWSER_TEST
from tests.factories import T0, hand_built
from tests.settlements import test_browser_admin_lists as admin_browser

pytestmark = BROWSER_TEST

PERIOD = "from=2026-03-01&to=2026-04-30"


@pytest.fixture
def book_data(db):
    """The insights data set, and a running boost with three days of views to project."""
    hand_built()
    running = factories.active_boost(now=T0 + timedelta(days=5), name="大学生省钱攻略")
    start = running.window_start
    factories.views(
        running,
        (start + timedelta(days=1), 12_000),
        (start + timedelta(days=2), 16_500),
        (start + timedelta(days=3), 18_500),
    )
    get_user_model().objects.create_superuser("ops", "ops@example.com", admin_browser.PASSWORD)


def _open(chromium, live_server, width: int, path: str):
    """Sign in and open ``path`` (its query string kept through the login's ``next``)."""
    context, page = admin_browser._open(chromium, live_server, width, "/admin/")
    page.goto(f"{live_server.url}{path}")
    return context, page


@pytest.mark.parametrize("width", [admin_browser.LAPTOP, admin_browser.PHONE])
def test_calibration_page_fits_and_shows_each_models_light(
    browser, live_server, shots, book_data, width
):
    path = f"/admin/insights/calibration/?{PERIOD}&source=real"
    context, page = _open(browser, live_server, width, path)
    assert page.locator('[data-card="light-v1"]').is_visible()
    assert page.locator("#charts svg").count() >= 1
    admin_browser._no_page_overflow(page)
    shots(page, f"insights-calibration-{width}", full_page=True)
    context.close()


@pytest.mark.parametrize("width", [admin_browser.LAPTOP, admin_browser.PHONE])
def test_book_page_fits_and_charts_the_days(browser, live_server, shots, book_data, width):
    context, page = _open(browser, live_server, width, f"/admin/insights/book/?{PERIOD}")
    assert page.locator('[data-card="open_exposure"]').is_visible()
    assert page.locator("#charts svg").count() == 2
    admin_browser._no_page_overflow(page)
    shots(page, f"insights-book-{width}", full_page=True)
    context.close()
