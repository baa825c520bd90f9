"""Integration tokens, the API request log and rejected publish reports."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.tokens import HashedToken

from .ordering import OrderLine


class IntegrationToken(HashedToken):
    """A credential of the platform's data pipeline for the ``/api/`` endpoints (Bearer auth).

    Kept hashed (``kernel.tokens``): the token itself is shown once, when it is created
    (``orders.services.create_integration_token``), and can never be seen again.
    """

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")
        ordering = ["name", "id"]


def _token_reference(related_name: str) -> models.ForeignKey[Any, Any]:
    """The token a pipeline request came with; the row outlives the token, its token left blank."""
    return models.ForeignKey(
        IntegrationToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=_("token"),
    )


class ApiRequestLog(models.Model):
    """One row per request to ``/api/``, refused ones (401, 4xx) included. Append-only."""

    token = _token_reference("requests")
    path = models.CharField(_("path"), max_length=200)
    method = models.CharField(_("method"), max_length=10)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    item_count = models.PositiveIntegerField(_("items"), default=0)
    error = models.CharField(_("error summary"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    # The id the request carried through the logs (X-Request-ID), to find its log lines.
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("API request")
        verbose_name_plural = _("API requests")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status_code}"


class PublishRejection(models.Model):
    """A publish event from the pipeline that ``publish`` refused, kept for operators (§5).

    Append-only: the event as sent (order line, video id, publish instant), the reason it was
    refused and when. Nothing of the event itself was stored.
    """

    line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="publish_rejections",
        verbose_name=_("order line"),
    )
    video_id = models.CharField(_("platform video id"), max_length=64)
    published_at = models.DateTimeField(_("published at"))
    reason = models.CharField(_("reason"), max_length=300)
    received_at = models.DateTimeField(_("received at"))
    token = _token_reference("publish_rejections")

    class Meta:
        verbose_name = _("refused publish event")
        verbose_name_plural = _("refused publish events")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.video_id} → {self.line_id}"
