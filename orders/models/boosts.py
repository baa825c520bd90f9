"""Boosts (a line's paid promotion) and their lifecycle events."""

from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.audit import AuditEvent

from .money import MONEY
from .ordering import OrderLine, PricingModel


class BoostStatus(models.TextChoices):
    """The boost lifecycle of DESIGN §5."""

    AWAITING_PUBLISH = "awaiting_publish", _("Awaiting publish")
    ACTIVE = "active", _("Active")
    AWAITING_VIEWS = "awaiting_views", _("Awaiting views data")
    SUCCEEDED = "succeeded", _("Succeeded")
    COMPENSATED = "compensated", _("Compensated")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class Boost(models.Model):
    """The 星推宝 boost bought for one order line, with its quote frozen at order time (§4, §5).

    Invariants: the frozen quote (expected views, ratio, fee, inputs) never changes; the window is
    set exactly when the video was published; status moves only along ``TRANSITIONS``.
    """

    Status = BoostStatus

    TRANSITIONS = {
        Status.AWAITING_PUBLISH: {Status.ACTIVE, Status.EXPIRED, Status.CANCELLED},
        Status.ACTIVE: {Status.AWAITING_VIEWS, Status.SUCCEEDED, Status.COMPENSATED},
        Status.AWAITING_VIEWS: {Status.SUCCEEDED, Status.COMPENSATED},
    }
    UNPUBLISHED = (Status.AWAITING_PUBLISH, Status.EXPIRED, Status.CANCELLED)
    TERMINAL = (Status.SUCCEEDED, Status.COMPENSATED, Status.EXPIRED, Status.CANCELLED)

    line = models.OneToOneField(
        OrderLine, on_delete=models.PROTECT, related_name="boost", verbose_name=_("order line")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.AWAITING_PUBLISH
    )
    expected_views = models.BigIntegerField(_("expected views"))
    premium_ratio = models.DecimalField(_("premium ratio"), max_digits=3, decimal_places=2)
    boost_fee = models.DecimalField(_("boost fee"), **MONEY)
    loss_ratio = models.DecimalField(_("expected loss ratio"), max_digits=5, decimal_places=4)
    quote = models.JSONField(_("quote inputs"))
    quoted_at = models.DateTimeField(_("quoted at"))
    pricing_model = models.CharField(
        _("pricing model"), max_length=10, choices=PricingModel.choices, default=PricingModel.V1
    )
    # The quote the non-live model gave at the same instant: recorded, never charged (§4b).
    shadow_model = models.CharField(
        _("shadow pricing model"), max_length=10, choices=PricingModel.choices, blank=True
    )
    shadow_eligible = models.BooleanField(_("shadow quote offered"), null=True, blank=True)
    shadow_expected_views = models.BigIntegerField(
        _("shadow expected views"), null=True, blank=True
    )
    shadow_premium_ratio = models.DecimalField(
        _("shadow premium ratio"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    shadow_boost_fee = models.DecimalField(_("shadow boost fee"), null=True, blank=True, **MONEY)
    shadow_quote = models.JSONField(_("shadow quote inputs"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"))
    window_start = models.DateTimeField(_("window start"), null=True, blank=True)
    window_end = models.DateTimeField(_("window end"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"))

    class Meta:
        verbose_name = _("boost")
        verbose_name_plural = _("boosts")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "window_end"]),
            models.Index(fields=["status", "valid_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BoostStatus.values), name="boost_status_valid"
            ),
            models.CheckConstraint(condition=Q(boost_fee__gte=0), name="boost_fee_non_negative"),
            models.CheckConstraint(
                condition=Q(expected_views__gte=0), name="boost_expected_views_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(premium_ratio__gte=Decimal("0.10"), premium_ratio__lte=Decimal("0.50")),
                name="boost_premium_ratio_in_band",
            ),
            models.CheckConstraint(
                condition=Q(pricing_model__in=PricingModel.values), name="boost_pricing_model_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["awaiting_publish", "expired", "cancelled"])
                | Q(window_start__isnull=False, window_end__gt=F("window_start")),
                name="boost_published_has_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} · {self.get_status_display()}"

    def counts(self, observed_at: datetime) -> bool:
        """Whether a snapshot observed then counts toward this boost (DESIGN §5).

        Only views observed up to the window end count; later snapshots never do, and nothing
        counts before the video was published.
        """
        return self.window_end is not None and observed_at <= self.window_end

    @classmethod
    def can_move(cls, old: str, new: str) -> bool:
        """Whether the lifecycle of DESIGN §5 allows ``old`` → ``new``."""
        return new in cls.TRANSITIONS.get(old, set())


class BoostEvent(AuditEvent):
    """Append-only audit of a boost's status changes, with who did it and why."""

    boost = models.ForeignKey(
        Boost, on_delete=models.PROTECT, related_name="events", verbose_name=_("boost")
    )
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("boost event")
        verbose_name_plural = _("boost events")

    def __str__(self) -> str:
        def label(value: str) -> str:
            return str(BoostStatus(value).label) if value in BoostStatus.values else value or "—"

        return f"{label(self.from_status)} → {label(self.to_status)}"
