"""The interactive API docs render in a browser under the strict CSP, from local files only."""

from __future__ import annotations

from django.urls import reverse

from tests.browser import BROWSER_TEST
from tests.hardening.test_csp import LISTEN, Violations

pytestmark = BROWSER_TEST


def test_the_swagger_page_renders_the_document_with_no_csp_violation(browser, live_server):
    context = browser.new_context(locale="en-US")
    context.add_init_script(LISTEN)
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    watch = Violations(page)
    assert watch.visit(f"{live_server.url}{reverse('api:openapi-view')}") == []
    page.get_by_text("/api/v1/boosts", exact=True).first.wait_for()
    assert "StarBoost API" in page.inner_text("body")
    assert watch.collected() == []
    assert outside == []
    context.close()
