"""Who may see a portal page, and the frame every page is drawn in (DESIGN §9).

Every page belongs to the client of the logged-in user (``ClientMembership``) and reads only that
client's rows: another client's order answers exactly like an order that does not exist (404).
Anonymous visitors go to the login page, staff without a client to the admin, anyone else gets a
plain 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from kernel.display import yuan
from orders import selectors
from orders.models import Client


class ClientRequest(HttpRequest):
    """A request let in by ``client_required``: ``client`` is the user's client, ``client_balance``
    its balance, read with it (the header shows it)."""

    client: Client
    client_balance: Decimal


def client_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Let in users who belong to a client and set ``request.client``; route everyone else."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = selectors.membership_of(request.user)
        if membership is None:
            if request.user.is_staff:
                return redirect("admin:index")
            return TemplateResponse(request, "portal/no_client.html", status=403)
        request.client = membership.client  # type: ignore[attr-defined]
        request.client_balance = membership.balance  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def frame(client: Client, balance: Decimal, *, nav: str = "") -> dict[str, Any]:
    """What the header of every portal page shows: the client, its balance, the current tab.

    The balance is the one read with the client as the request came in: a view that posts to the
    account redirects, so the page shown after it reads the new balance.
    """
    return {"portal_client": client, "portal_balance": yuan(balance), "nav": nav}


def user_frame(request: HttpRequest) -> dict[str, Any]:
    """The header for a page any logged-in user may see (the password pages): the client's
    frame when the user belongs to one, else nothing."""
    membership = selectors.membership_of(request.user)
    return frame(membership.client, membership.balance) if membership else {}


def render_page(
    request: ClientRequest, template: str, context: dict[str, Any], *, nav: str = ""
) -> HttpResponse:
    """Render a portal page with the client and its balance in the header."""
    return TemplateResponse(
        request, template, {**frame(request.client, request.client_balance, nav=nav), **context}
    )


def not_found(request: ClientRequest) -> HttpResponse:
    """The answer for another client's object and for no object at all alike.

    Nothing tells the two apart, not even a CSRF token: the header keeps the tabs and the balance
    but leaves out its two forms (language and log out).
    """
    context = {**frame(request.client, request.client_balance), "frame_without_forms": True}
    return TemplateResponse(request, "portal/not_found.html", context, status=404)
