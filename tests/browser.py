"""The browser tests' fixtures: Debian's chromium driven by Playwright, screenshots saved.

Loaded for every test package by ``tests/conftest.py`` (``pytest_plugins``). Run the tests with
``pytest -m browser``; they need ``playwright`` from requirements.txt and ``apt-get install
chromium`` (never ``playwright install``: the system browser is used). Screenshots go to
``test-output/browser/`` in the repository root (git-ignored); their paths are printed. The
helpers below open a screen of a given width, sign in through the real login forms, and check that
a page never scrolls sideways.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
PHONE, LAPTOP = 390, 1366
OUTPUT = Path(__file__).resolve().parents[1] / "test-output" / "browser"

# The marks of a browser test module: ``pytestmark = BROWSER_TEST``.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: apt-get install -y chromium chromium-driver",
    ),
]


@pytest.fixture
def browser(monkeypatch):
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="playwright is not installed (pip install -r requirements.txt)",
    )
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # plain synchronous code, which Django would otherwise refuse next to a running loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
        # The test's ORM calls ran next to Playwright's event loop, which gives them a database
        # connection of their own; close it here, or PostgreSQL refuses to drop the test database.
        connections.close_all()


@pytest.fixture
def shots():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []

    def shot(page_or_element, name: str, **kwargs) -> Path:
        path = OUTPUT / f"{name}.png"
        page_or_element.screenshot(path=str(path), **kwargs)
        taken.append(path)
        return path

    yield shot
    for path in taken:
        print(f"screenshot: {path}")


def screen(chromium, width: int, *, locale: str = "zh-CN"):
    """A browser context ``width`` px wide and 844 px tall, one device pixel per CSS pixel."""
    return chromium.new_context(
        locale=locale, viewport={"width": width, "height": 844}, device_scale_factor=1
    )


# Each login form: its page, its submit button and where a signed-in user lands.
PORTAL_LOGIN = ("/login/", "#login button[type=submit]", "/orders/")
ADMIN_LOGIN = ("/admin/login/", "#login-form [type=submit]", "/admin/")


def log_in(page, live_server, username: str, password: str, *, form=PORTAL_LOGIN) -> None:
    """Sign in through a real login form (the portal's unless ``form=ADMIN_LOGIN``)."""
    login, submit, landing = form
    page.goto(f"{live_server.url}{login}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click(submit)
    page.wait_for_url(f"{live_server.url}{landing}")


def open_portal(chromium, live_server, width: int, username: str, password: str):
    """A ``width`` px screen signed in to the portal, on the order list: (context, page)."""
    context = screen(chromium, width)
    page = context.new_page()
    log_in(page, live_server, username, password)
    return context, page


def open_admin(chromium, live_server, width: int, path: str, username: str, password: str):
    """A ``width`` px screen signed in to the admin, showing ``path``: (context, page)."""
    context = screen(chromium, width)
    page = context.new_page()
    log_in(page, live_server, username, password, form=ADMIN_LOGIN)
    page.goto(f"{live_server.url}{path}")
    return context, page


def assert_fits(page) -> None:
    """The page never scrolls sideways (a table may still scroll inside its own box)."""
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url}: the page is {scroll} px wide on a {inner} px screen"
