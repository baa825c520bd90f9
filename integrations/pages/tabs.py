"""The frame every integrations page shares: its tab, its title and the header link it is under."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from portal.access import ClientRequest, render_page

# The tabs under the header's "Notifications" link; the others are under "Integrations".
NOTIFICATION_TABS = frozenset({"notifications", "preferences"})


def render_tab(
    request: ClientRequest, template: str, *, tab: str, title: str, **context: Any
) -> HttpResponse:
    """Render an integrations page: ``title`` as its heading, ``tab`` marked in the tabs."""
    nav = "notifications" if tab in NOTIFICATION_TABS else "integrations"
    return render_page(request, template, {"title": title, "tab": tab, **context}, nav=nav)
