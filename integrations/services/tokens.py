"""Clients' API tokens: issued once (stored hashed, like the pipeline's), checked per request."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from orders.models import Client
from orders.services import hash_token

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
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ClientApiToken(
        client=client,
        name=name,
        prefix=raw[: ClientApiToken.PREFIX_LENGTH],
        token_hash=hash_token(raw),
        created_at=now,
        created_by=created_by,
    )
    with transaction.atomic():
        token.full_clean()
        token.save()
    return token, raw


def authenticate_api_token(*, raw: str, now: datetime) -> ClientApiToken | None:
    """The active token ``raw`` stands for (with its client), its last use stamped; else None."""
    if not raw:
        return None
    token = (
        ClientApiToken.objects.select_related("client")
        .filter(token_hash=hash_token(raw), is_active=True)
        .first()
    )
    if token is not None:
        # A plain UPDATE: concurrent requests with one token need no lock to stamp a time.
        ClientApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_api_token(*, token: ClientApiToken) -> ClientApiToken:
    """Deactivate a token for good: requests with it are refused from now on. Idempotent."""
    ClientApiToken.objects.filter(pk=token.pk).update(is_active=False)
    token.is_active = False
    return token
