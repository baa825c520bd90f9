"""The outbox of client-relevant facts: one ``ClientEvent`` row per fact a client hears about.

A service writes the event in the same transaction as the fact itself
(``orders.services.events.emit``), so a fact is never announced without having happened, nor lost
once it has. Delivery (e-mail, portal notifications, webhooks) is another app's job, which reads
the rows it has not dispatched yet. Kept apart from ``orders.models`` (which re-exports it) because
it is the one model every app above ``orders`` writes to.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ClientEventType(models.TextChoices):
    """The facts a client is told about; the values are the public names webhooks carry."""

    BOOST_ACTIVE = "boost.active", _("Boost active")
    BOOST_AT_RISK = "boost.at_risk", _("Boost at risk")
    BOOST_SETTLED = "boost.settled", _("Boost settled")
    BOOST_EXPIRED = "boost.expired", _("Boost expired, fee refunded")
    BOOST_CANCELLED = "boost.cancelled", _("Boost cancelled, fee refunded")
    SETTLEMENT_PAID = "settlement.paid", _("Settlement paid")
    ADJUSTMENT_APPROVED = "adjustment.approved", _("Adjustment approved")


class ClientEvent(models.Model):
    """One fact about a client's boosts or money, written with the fact (append-only).

    Invariants: ``key`` names the fact (``boost:12:active``), unique, so a rerun of the service
    that wrote it never writes it twice; ``payload`` holds codes and parameters (ids, amounts as
    strings, ISO instants), never sentences, so each reader words it in its own language;
    ``dispatched_at`` is set once, by the fan-out, and nothing else ever changes.
    """

    Type = ClientEventType

    client = models.ForeignKey(
        "orders.Client", on_delete=models.PROTECT, related_name="events", verbose_name=_("client")
    )
    type = models.CharField(_("event"), max_length=40, choices=ClientEventType.choices)
    key = models.CharField(_("fact key"), max_length=120, unique=True)
    boost = models.ForeignKey(
        "orders.Boost",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="client_events",
        verbose_name=_("boost"),
    )
    # An id, not a foreign key: settlements sits above orders and orders never depends on it.
    settlement_id = models.PositiveBigIntegerField(_("settlement id"), null=True, blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(_("occurred at"))
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("client event")
        verbose_name_plural = _("client events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["client", "occurred_at"], name="client_event_client_time"),
            # The fan-out walks the rows it has not dispatched yet, in id order.
            models.Index(
                fields=["id"], condition=Q(dispatched_at__isnull=True), name="client_event_pending"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=ClientEventType.values), name="client_event_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} · {self.key}"
