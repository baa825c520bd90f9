"""The API token pages: the client's tokens, a new one (shown once), revoking one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.access import ClientRequest, client_required, not_found

from .. import selectors, services
from .forms import TokenForm
from .shown_once import create_shown_once
from .tabs import render_tab


@require_http_methods(["GET", "POST"])
@client_required
def token_list(request: ClientRequest) -> HttpResponseBase:
    """The client's API tokens and the form to create one; a new token is shown once."""
    form = TokenForm(request.POST or None)
    shown = create_shown_once(
        request,
        form,
        lambda data: services.create_api_token(
            client=request.client, name=data["name"], now=timezone.now(), created_by=request.user
        ),
        "integrations/token_once.html",
        lambda token, raw: {
            "title": _("Token created"),
            "token": token,
            "raw": raw,
            "boosts_url": request.build_absolute_uri(reverse("api:list_boosts")),
            "docs_url": request.build_absolute_uri(reverse("api:openapi-view")),
        },
    )
    if shown is not None:
        return shown
    return render_tab(
        request,
        "integrations/tokens.html",
        tab="tokens",
        title=_("API tokens"),
        tokens=selectors.tokens_of(request.client),
        form=form,
    )


@require_POST
@client_required
def revoke(request: ClientRequest, pk: int) -> HttpResponseBase:
    """Deactivate one of the client's tokens for good."""
    token = selectors.tokens_of(request.client).filter(pk=pk).first()
    if token is None:
        return not_found(request)
    services.revoke_api_token(token=token)
    messages.success(request, _("The token was revoked; requests with it are refused."))
    return redirect("integrations:tokens")
