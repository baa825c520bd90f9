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
from tests.browser import BROWSER_TEST, LAPTOP, PHONE, assert_fits, open_admin
from tests.factories import T0, hand_built

pytestmark = BROWSER_TEST

PERIOD = "from=2026-03-01&to=2026-04-30"
PASSWORD = "s3cret-Pass!"


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
    get_user_model().objects.create_superuser("ops", "ops@example.com", PASSWORD)


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_calibration_page_fits_and_shows_each_models_light(
    browser, live_server, shots, book_data, width
):
    path = f"/admin/insights/calibration/?{PERIOD}&source=real"
    context, page = open_admin(browser, live_server, width, path, "ops", PASSWORD)
    assert page.locator('[data-card="light-v1"]').is_visible()
    assert page.locator("#charts svg").count() >= 1
    assert_fits(page)
    shots(page, f"insights-calibration-{width}", full_page=True)
    context.close()


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_book_page_fits_and_charts_the_days(browser, live_server, shots, book_data, width):
    path = f"/admin/insights/book/?{PERIOD}"
    context, page = open_admin(browser, live_server, width, path, "ops", PASSWORD)
    assert page.locator('[data-card="open_exposure"]').is_visible()
    assert page.locator("#charts svg").count() == 2
    assert_fits(page)
    shots(page, f"insights-book-{width}", full_page=True)
    context.close()
