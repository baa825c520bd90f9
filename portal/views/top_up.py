"""How a client tops up its account: the path shown wherever the balance is short.

Clients do not pay in the portal: money arrives by bank transfer and StarBoost's finance team
credits it to the account (the admin's *Top up*), where it appears on the statement.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..access import ClientRequest, client_required, render_page


@require_GET
@client_required
def top_up(request: ClientRequest) -> HttpResponse:
    """The steps to top up, with the reference that identifies this client's transfer."""
    return render_page(
        request, "portal/top_up.html", {"title": _("Top up your account")}, nav="account"
    )
