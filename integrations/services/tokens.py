"""Clients' API tokens: issued once (stored hashed, like the pipeline's), checked per request."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from kernel.tokens import authenticate, issue_token
from orders.models import Client

from ..models import ClientApiToken
from .errors import IntegrationError

# Recognisable in logs and by secret scanners: a StarBoost client token.
TOKEN_PREFIX = "sbc_"


def create_api_token(
    *, client: Client, name: str, now: datetime, created_by: AbstractBaseUser | None = None
) -> tuple[ClientApiToken, str]:
    """Issue a read-only API token for ``client``; returns the row and the token, shown once."""
    name = name.strip()
    if not name:
        raise IntegrationError(_("A token needs a name."))
    token = ClientApiToken(client=client, name=name, created_at=now, created_by=created_by)
    return issue_token(token, scheme=TOKEN_PREFIX)


def authenticate_api_token(*, raw: str, now: datetime) -> ClientApiToken | None:
    """The active token ``raw`` stands for (with its client), its last use stamped; else None."""
    return authenticate(ClientApiToken.objects.select_related("client"), raw=raw, now=now)


def revoke_api_token(*, token: ClientApiToken) -> ClientApiToken:
    """Deactivate a token for good: requests with it are refused from now on. Idempotent."""
    ClientApiToken.objects.filter(pk=token.pk).update(is_active=False)
    token.is_active = False
    return token
