"""Who calls the client API: the bearer token of one client (``ClientApiToken``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .. import services
from ..models import ClientApiToken


class ClientToken(HttpBearer):
    """``Authorization: Bearer sbc_…``: an active token of a client; anything else is a 401.

    The token decides the client: every read filters by ``request.auth.client``.
    """

    def authenticate(self, request: HttpRequest, token: str) -> ClientApiToken | None:
        return services.authenticate_api_token(raw=token, now=timezone.now())
