"""Bearer credentials stored hashed: only a token's SHA-256 and its first characters are kept.

A token is shown once, when it is issued, and can never be read back; ``prefix`` lets people
tell tokens apart. The pipeline's ``IntegrationToken`` and the clients' ``ClientApiToken`` are
both kept this way.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .fields import creator_reference


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest under which a token is stored; the token itself never is."""
    return hashlib.sha256(raw.encode()).hexdigest()


class HashedToken(models.Model):
    """A named credential, active until revoked, with its last use stamped per request."""

    PREFIX_LENGTH = 8

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("token prefix"), max_length=PREFIX_LENGTH, editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), editable=False)
    created_by = creator_reference(_("created by"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


Token = TypeVar("Token", bound=HashedToken)


def issue_token(token: Token, *, scheme: str = "") -> tuple[Token, str]:
    """Give the unsaved ``token`` a new random secret (``scheme`` first), validate and save it.

    Returns the row and the raw token, to be shown once: only its hash and prefix are stored.
    """
    raw = scheme + secrets.token_urlsafe(32)
    token.prefix = raw[: token.PREFIX_LENGTH]
    token.token_hash = hash_token(raw)
    with transaction.atomic():
        token.full_clean()
        token.save()
    return token, raw


def authenticate(tokens: models.QuerySet[Token], *, raw: str, now: datetime) -> Token | None:
    """The active token of ``tokens`` that ``raw`` stands for, its last use stamped; else None."""
    if not raw:
        return None
    token = tokens.filter(token_hash=hash_token(raw), is_active=True).first()
    if token is not None:
        # A plain UPDATE: concurrent requests with one token need no lock to stamp a time.
        tokens.model._default_manager.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
