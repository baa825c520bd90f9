"""Orders, their lines and the pricing model in force (with its change log)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.audit import Acted
from kernel.fields import user_reference

from .clients import Client
from .influencers import Influencer
from .money import MONEY


class Order(models.Model):
    """One purchase (任务/订单) by a client; the same idempotency key never places it twice."""

    code = models.CharField(_("order code"), max_length=32, unique=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="orders", verbose_name=_("client")
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    placed_at = models.DateTimeField(_("placed at"))
    placed_by = user_reference(_("placed by"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"], name="order_idempotency_key_unique_per_client"
            )
        ]

    def __str__(self) -> str:
        return self.code


class OrderLine(models.Model):
    """One influencer's video within an order; its fixed price is frozen at order time."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="lines", verbose_name=_("order")
    )
    influencer = models.ForeignKey(
        Influencer,
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("influencer"),
    )
    fixed_price = models.DecimalField(_("fixed price"), **MONEY)
    platform_video_id = models.CharField(
        _("platform video id"), max_length=64, null=True, blank=True, unique=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "influencer"], name="order_line_one_per_influencer"
            ),
            models.CheckConstraint(
                condition=Q(fixed_price__gt=0), name="order_line_fixed_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.code} · {self.influencer.name}"


class PricingModel(models.TextChoices):
    """The pricing model versions of DESIGN §4b (``orders.pricing.MODELS``)."""

    V1 = "v1", _("v1: weighted lower median (DESIGN §4)")
    V2 = "v2", _("v2: credibility toward the peer group")


class PricingSetting(models.Model):
    """The one row saying which pricing model prices new quotes; changed only by
    ``services.switch_live_model``, which records a ``PricingModelChange`` each time."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    live_model = models.CharField(
        _("live pricing model"),
        max_length=10,
        choices=PricingModel.choices,
        default=PricingModel.V1,
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pricing setting")
        verbose_name_plural = _("pricing settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="pricing_setting_singleton"),
            models.CheckConstraint(
                condition=Q(live_model__in=PricingModel.values), name="pricing_live_model_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Live pricing model: %(model)s") % {"model": self.live_model})


class PricingModelChange(Acted):
    """Append-only audit of the live pricing model: who switched it, when, from what, and why."""

    from_model = models.CharField(_("from model"), max_length=10, choices=PricingModel.choices)
    to_model = models.CharField(_("to model"), max_length=10, choices=PricingModel.choices)
    reason = models.CharField(_("reason"), max_length=300)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("pricing model change")
        verbose_name_plural = _("pricing model changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_model} → {self.to_model}"
