"""How clients hear about events: preferences, portal notifications, e-mails, webhooks, tokens.

Every delivery is unique per event and recipient (user or endpoint), so a fan-out that runs twice
never notifies anyone twice; each attempt of a webhook is logged (``WebhookAttempt``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.fields import creator_reference
from kernel.tokens import HashedToken
from orders.models import Client, ClientEvent, ClientEventType


class Language(models.TextChoices):
    """The languages a notification is written in (the site's languages)."""

    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


def every_event_type() -> list[str]:
    """The default subscription: every event type."""
    return list(ClientEventType.values)


def _recipient(related_name: str) -> models.ForeignKey[Any, Any]:
    """The client user a delivery goes to: it goes with the user's account."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=_("user"),
    )


def _event_reference(*, optional: bool = False) -> models.ForeignKey[Any, Any]:
    """The outbox event a delivery carries: protected (the outbox outlives every delivery) and
    without a reverse accessor. ``optional`` for a webhook's test event, which has no outbox row."""
    return models.ForeignKey(
        ClientEvent,
        on_delete=models.PROTECT,
        null=optional,
        blank=optional,
        related_name="+",
        verbose_name=_("event"),
    )


def _once_per_event(recipient: str, name: str) -> models.UniqueConstraint:
    """At most one delivery per event and recipient: a fan-out that runs twice adds none."""
    return models.UniqueConstraint(fields=["event", recipient], name=name)


class NotificationPreference(models.Model):
    """How one client user hears about events: the language, and which events by which channel.

    A user without a row gets the defaults: Simplified Chinese, every event, both channels.
    ``email_types`` and ``portal_types`` are lists of ``ClientEventType`` values, checked by
    ``integrations.services.preferences`` before they are saved.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    email_types = models.JSONField(_("events by e-mail"), default=every_event_type, blank=True)
    portal_types = models.JSONField(_("events in the portal"), default=every_event_type, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="notification_language_valid"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    """An event shown to one user in the portal, worded when it is shown, in the page's language."""

    user = _recipient("notifications")
    event = _event_reference()
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [_once_per_event("user", "notification_once_per_event_and_user")]

    def __str__(self) -> str:
        return f"{self.event} → {self.user}"


class DeliveryStatus(models.TextChoices):
    """Where a delivery stands: still to try, delivered, or given up after its last attempt."""

    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """What e-mails and webhooks share: attempts, retried with exponential backoff, bounded.

    ``next_attempt_at`` is when the next attempt may start (None once delivered or failed); an
    attempt claims the row by moving it forward, so two workers never send the same attempt.
    ``give_up_after`` is the attempt after which a failure is final.
    """

    Status = DeliveryStatus

    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    give_up_after = models.PositiveSmallIntegerField(_("attempts allowed"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.attempts}"


def _delivery_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(status__in=DeliveryStatus.values), name=f"{prefix}_status_valid"
        ),
        models.CheckConstraint(
            condition=Q(status="delivered", delivered_at__isnull=False)
            | (~Q(status="delivered") & Q(delivered_at__isnull=True)),
            name=f"{prefix}_delivered_has_time",
        ),
    ]


class EmailDelivery(Delivery):
    """The e-mail of one event to one user, in the user's language. At most one per pair."""

    user = _recipient("+")
    event = _event_reference()
    address = models.EmailField(_("address"))
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_delivery_due")]
        constraints = [
            _once_per_event("user", "email_delivery_once_per_event_and_user"),
            *_delivery_constraints("email_delivery"),
        ]


class WebhookEndpoint(models.Model):
    """A client's URL that receives its events, signed with the endpoint's secret.

    The secret must be read back to sign each request, so it is stored as it is (unlike API
    tokens, which are only compared and are stored hashed); it is shown to the client once, when
    the endpoint is created. A removed endpoint is kept (``removed_at``) with its delivery log.
    """

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="webhook_endpoints", verbose_name=_("client")
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    event_types = models.JSONField(_("events"), default=every_event_type)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), editable=False)
    created_by = creator_reference(_("created by"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["client", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    @property
    def secret_hint(self) -> str:
        """Enough of the secret to tell endpoints apart, never enough to sign."""
        return f"{self.secret[:10]}…"


class WebhookDelivery(Delivery):
    """One event (or a test event) for one endpoint: the exact body, signed anew per attempt.

    At most one per event and endpoint; a resend is one more attempt of the same delivery.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = _event_reference(optional=True)
    type = models.CharField(_("event type"), max_length=40)
    body = models.TextField(_("body"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "created_at"], name="webhook_delivery_log"),
        ]
        constraints = [
            _once_per_event("endpoint", "webhook_delivery_once_per_event_and_endpoint"),
            *_delivery_constraints("webhook_delivery"),
        ]


class WebhookAttempt(models.Model):
    """One HTTP request of a webhook delivery and what came back (append-only delivery log)."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"))
    latency_ms = models.PositiveIntegerField(_("latency (ms)"))
    response_excerpt = models.CharField(_("response excerpt"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} → {self.status_code or self.error}"


class ClientApiToken(HashedToken):
    """A client's credential for the read-only client API (``Authorization: Bearer …``).

    Kept hashed like the pipeline's ``IntegrationToken`` (``kernel.tokens``); the token is shown
    once, when it is created. It reads its own client's rows and nothing else.
    """

    PREFIX_LENGTH = 12

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("client")
    )
    prefix = models.CharField(_("token prefix"), max_length=PREFIX_LENGTH, editable=False)

    class Meta:
        verbose_name = _("client API token")
        verbose_name_plural = _("client API tokens")
        ordering = ["client", "name", "id"]
