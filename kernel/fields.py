"""Model fields every app declares alike: who did something, kept for the audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


def user_reference(verbose_name: Any, *, optional: bool = True) -> models.ForeignKey[Any, Any]:
    """The staff user who acted on a row: protected (audit rows outlive nothing they name) and
    without a reverse accessor on the user. ``optional`` for rows a sweep may write alone."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=optional,
        blank=optional,
        related_name="+",
        verbose_name=verbose_name,
    )


def creator_reference(verbose_name: Any) -> models.ForeignKey[Any, Any]:
    """Who created a credential-like row: set once, kept blank if that user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=verbose_name,
    )
