"""The Content-Security-Policy (django-csp) and the pages that pass it (issue 11, item 7).

The policy allows scripts and styles only from the site's own static files: no 'unsafe-inline'
for either, so no template may carry an inline ``<script>``, ``<style>``, ``style=""`` or
``on…=""`` handler. The browser test loads the portal and admin pages in chromium and asserts no
violation was reported; a deliberate inline script proves the listener hears one.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Boost
from tests import factories
from tests.browser import CHROMIUM
from tests.factories import member_of

from .conftest import PASSWORD

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # a script without src
    re.compile(r"<style\b", re.IGNORECASE),
    re.compile(r"\sstyle\s*=", re.IGNORECASE),
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
]


def policy(response) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in response["Content-Security-Policy"].split(";")]
    return {name: values for name, *values in parts if name}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_every_page_carries_a_strict_policy(client, url):
    directives = policy(client.get(url))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in str(directives) and "'unsafe-eval'" not in str(directives)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_no_template_has_an_inline_script_or_style(template):
    text = template.read_text(encoding="utf-8")
    for pattern in INLINE:
        assert not pattern.search(text), f"{pattern.pattern} in {template}"


# --- In a browser --------------------------------------------------------------------------------

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ""}`);
});
"""


class Violations:
    """What a page reported: ``securitypolicyviolation`` events and CSP console messages."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str) -> list[str]:
        """Load ``url`` and return every violation it reported (events and console)."""
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        self.page.wait_for_load_state("load")
        return self.collected()

    def collected(self) -> list[str]:
        found = self.page.evaluate("window.__csp || []") + self.console
        self.console = []
        return found


def log_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login [type=submit], #login-form [type=submit]")
    page.wait_for_load_state("load")


def portal_data():
    """A client with a running boost (progress bar, chart), an overdue compensation and quotes."""
    from settlements import services as settlement_services

    now = timezone.now()
    past = now - timedelta(days=40)
    account = factories.client(balance="200000.00", now=past)
    member_of(account, "alice")
    placed = now - timedelta(days=3)
    running = factories.order(account, [factories.influencer(now=placed)], now=placed)
    boost = factories.publish(running.lines.get().boost, at=now - timedelta(days=2))
    factories.views(
        boost, *[(boost.window_start + timedelta(hours=h), 300 * h) for h in range(1, 40)]
    )
    closed = factories.order(account, [factories.influencer(now=past)], now=past)
    short = factories.publish(closed.lines.get().boost, at=past + timedelta(hours=1))
    factories.views(short, (short.window_end - timedelta(hours=1), 15_000))
    settlement_services.close_window(boost=short, now=short.window_end + timedelta(minutes=5))
    spare = factories.influencer(now=now)
    services.refresh_quotes(now=now)
    return running, boost, spare


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: apt-get install chromium")
def test_portal_and_admin_pages_report_no_csp_violation(browser, live_server):
    running, boost, spare = portal_data()
    get_user_model().objects.create_superuser("root", "root@example.com", "root-Pass-123")
    base = live_server.url
    context = browser.new_context(locale="en-US")
    context.add_init_script(LISTEN)
    page = context.new_page()
    watch = Violations(page)

    assert watch.visit(f"{base}/login/") == []
    log_in(page, f"{base}/login/", "alice", PASSWORD)
    assert page.url == f"{base}/orders/"
    assert watch.collected() == []
    new_order = f"{base}{reverse('portal:order_new')}"
    pages = {
        "order list": f"{base}{reverse('portal:order_list')}",
        "account": f"{base}{reverse('portal:account')}",
        "pick": new_order,
        "module": f"{new_order}?step=module&i={spare.pk}",
        "order detail": f"{base}{reverse('portal:order_detail', args=[running.code])}",
    }
    for name, url in pages.items():
        assert watch.visit(url) == [], name
        if name == "module":  # the totals script runs under the policy too
            page.check("form#module input.boost-tick")
            assert page.inner_text("[data-total=fees]") != "¥0.00"
            assert watch.collected() == []
    # The progress bar took its width from data-width (set by portal.js, not an inline style).
    bar = page.locator(f"#line-{boost.line_id} .progress .bar")
    assert float(bar.get_attribute("data-width")) > 0
    assert bar.evaluate("el => el.getBoundingClientRect().width") > 0

    # A deliberate inline script is blocked and heard: the listener above is not deaf.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.append(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in violation for violation in watch.collected())
    context.close()

    context = browser.new_context(locale="en-US")
    context.add_init_script(LISTEN)
    page = context.new_page()
    watch = Violations(page)
    assert watch.visit(f"{base}/admin/login/") == []
    log_in(page, f"{base}/admin/login/", "root", "root-Pass-123")
    assert watch.collected() == []
    admin_pages = [
        reverse("admin:index"),
        reverse("admin:orders_order_changelist"),
        reverse("admin:orders_boost_changelist"),
        reverse("admin:orders_boost_change", args=[boost.pk]),
        reverse("admin:settlements_settlement_changelist"),
        reverse("admin:orders_client_changelist") + "?q=client",
        reverse("insights:index"),
    ]
    for url in admin_pages:
        assert watch.visit(f"{base}{url}") == [], url
    assert Boost.objects.filter(settlement__isnull=False).exists()
    context.close()
