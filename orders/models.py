"""Clients and their ledger, influencers and their history, orders, boosts and view snapshots.

Money is ``DecimalField(max_digits=14, decimal_places=2)`` in CNY; rows that money hangs from are
referenced with ``PROTECT``. Every status is a ``TextChoices`` backed by a named check constraint.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.fields import user_reference
from kernel.tokens import HashedToken

from .outbox import ClientEvent as ClientEvent
from .outbox import ClientEventType as ClientEventType

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Client(models.Model):
    """An advertiser (客户) and its money account (星图账户); the balance is its ledger's sum."""

    code = models.SlugField(_("client code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientMembership(models.Model):
    """Links a login user to the one client whose pages and money it may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="client_membership",
        verbose_name=_("user"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("client")
    )

    class Meta:
        verbose_name = _("client user")
        verbose_name_plural = _("client users")

    def __str__(self) -> str:
        return f"{self.user} → {self.client}"


class LedgerKind(models.TextChoices):
    """The kinds of ledger entry; the sign of the amount is fixed by the kind."""

    TOP_UP = "top_up", _("Top-up")
    ORDER_CHARGE = "order_charge", _("Order charge")
    BOOST_FEE = "boost_fee", _("Boost fee")
    COMPENSATION = "compensation", _("Compensation")
    REFUND = "refund", _("Refund")
    ADJUSTMENT = "adjustment", _("Adjustment")


class LedgerEntry(models.Model):
    """One immutable, signed movement on a client's account (DESIGN §8).

    Append-only: rows are inserted by ``orders.services.post_entry`` under a lock on the client row
    and never updated or deleted. ``balance_after`` is the running balance at insert time, so a
    statement needs no window function; the sign of ``amount`` is fixed by ``kind``.
    """

    Kind = LedgerKind

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("client")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    order = models.ForeignKey(
        "Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("order"),
    )
    boost = models.ForeignKey(
        "Boost",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("boost"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = user_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        indexes = [models.Index(fields=["client", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LedgerKind.values), name="ledger_entry_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["top_up", "compensation", "refund"], amount__gt=0)
                    | Q(kind__in=["order_charge", "boost_fee"], amount__lt=0)
                    | (Q(kind="adjustment") & ~Q(amount=0))
                ),
                name="ledger_entry_amount_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_entry_balance_never_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Influencer(models.Model):
    """A creator (达人) with a fixed price (一口价); ``quote`` caches its current quote."""

    platform_id = models.CharField(_("platform id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    fixed_price = models.DecimalField(_("fixed price"), **MONEY)
    boost_enabled = models.BooleanField(_("boost service enabled"), default=True)
    # Set after a creator-caused shortfall (DESIGN §5): no boost is offered before this instant.
    boost_suspended_until = models.DateTimeField(
        _("boost suspended until"), null=True, blank=True, editable=False
    )
    quote = models.JSONField(_("current quote"), null=True, blank=True, editable=False)
    quoted_at = models.DateTimeField(_("quoted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("influencer")
        verbose_name_plural = _("influencers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fixed_price__gt=0), name="influencer_fixed_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HistoryVideo(models.Model):
    """One of an influencer's past videos and its latest view count: the pricing input (§4)."""

    influencer = models.ForeignKey(
        Influencer,
        on_delete=models.CASCADE,
        related_name="history_videos",
        verbose_name=_("influencer"),
    )
    platform_video_id = models.CharField(_("platform video id"), max_length=64, unique=True)
    published_at = models.DateTimeField(_("published at"))
    views = models.BigIntegerField(_("views"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("history video")
        verbose_name_plural = _("history videos")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["influencer", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(views__gte=0), name="history_video_views_non_negative"
            )
        ]

    def __str__(self) -> str:
        return self.platform_video_id


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


class PricingModelChange(models.Model):
    """Append-only audit of the live pricing model: who switched it, when, from what, and why."""

    from_model = models.CharField(_("from model"), max_length=10, choices=PricingModel.choices)
    to_model = models.CharField(_("to model"), max_length=10, choices=PricingModel.choices)
    actor = user_reference(_("actor"))
    actor_name = models.CharField(_("actor name"), max_length=150, default="system")
    reason = models.CharField(_("reason"), max_length=300)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("pricing model change")
        verbose_name_plural = _("pricing model changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_model} → {self.to_model}"


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


class BoostEvent(models.Model):
    """Append-only audit of a boost's status changes, with who did it and why."""

    boost = models.ForeignKey(
        Boost, on_delete=models.PROTECT, related_name="events", verbose_name=_("boost")
    )
    from_status = models.CharField(_("from status"), max_length=20, blank=True)
    to_status = models.CharField(_("to status"), max_length=20)
    actor = user_reference(_("actor"))
    actor_name = models.CharField(_("actor name"), max_length=150, default="system")
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("boost event")
        verbose_name_plural = _("boost events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        def label(value: str) -> str:
            return str(BoostStatus(value).label) if value in BoostStatus.values else value or "—"

        return f"{label(self.from_status)} → {label(self.to_status)}"


class ViewSnapshot(models.Model):
    """A view count of an order line's published video observed at an instant (§5)."""

    line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("order line")
    )
    observed_at = models.DateTimeField(_("observed at"))
    views = models.BigIntegerField(_("views"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("view snapshot")
        verbose_name_plural = _("view snapshots")
        ordering = ["line", "observed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "observed_at"], name="view_snapshot_unique_per_video_instant"
            ),
            models.CheckConstraint(
                condition=Q(views__gte=0), name="view_snapshot_views_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}@{self.observed_at:%Y-%m-%d %H:%M}: {self.views}"


class VideoStatus(models.TextChoices):
    """A published video's status as the pipeline reports it (DESIGN §5)."""

    LIVE = "live", _("Live")
    REMOVED_BY_CREATOR = "removed_by_creator", _("Removed by the creator")
    PRIVATE = "private", _("Made private by the creator")
    TAKEN_DOWN = "taken_down", _("Taken down by the platform")
    RESTORED = "restored", _("Restored")


# While a video's latest status is one of these (or before any), its views count (DESIGN §5);
# under any other its counted views are frozen.
LIVE = (VideoStatus.LIVE, VideoStatus.RESTORED)


class VideoStatusEvent(models.Model):
    """A change of an order line's published video status, at an instant (DESIGN §5).

    Append-only, one per (video, instant). The status in force at an instant is the latest event
    at or before it; before the first event a video is live.
    """

    Status = VideoStatus

    line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="status_events",
        verbose_name=_("order line"),
    )
    status = models.CharField(_("status"), max_length=20, choices=VideoStatus.choices)
    at = models.DateTimeField(_("at"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("video status event")
        verbose_name_plural = _("video status events")
        ordering = ["line", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "at"], name="video_status_event_unique_per_video_instant"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VideoStatus.values), name="video_status_event_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}@{self.at:%Y-%m-%d %H:%M}: {self.get_status_display()}"


class SnapshotFlagReason(models.TextChoices):
    DECREASE = "decrease", _("Lower than an earlier count")
    JUMP = "jump", _("Implausible jump within an hour")


class SnapshotFlag(models.Model):
    """A stored snapshot whose count looks wrong (DESIGN §5): kept, but its boost is held.

    One per snapshot, append-only; ``compared_views`` is the earlier count it was judged against.
    """

    Reason = SnapshotFlagReason

    snapshot = models.OneToOneField(
        ViewSnapshot, on_delete=models.PROTECT, related_name="flag", verbose_name=_("snapshot")
    )
    line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="snapshot_flags",
        verbose_name=_("order line"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=SnapshotFlagReason.choices)
    compared_views = models.BigIntegerField(_("earlier views"))
    flagged_at = models.DateTimeField(_("flagged at"))

    class Meta:
        verbose_name = _("flagged snapshot")
        verbose_name_plural = _("flagged snapshots")
        ordering = ["-flagged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=SnapshotFlagReason.values), name="snapshot_flag_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} · {self.get_reason_display()}"


# --- Ingestion (the platform's data pipeline) ---------------------------------------------------


class IntegrationToken(HashedToken):
    """A credential of the platform's data pipeline for the ``/api/`` endpoints (Bearer auth).

    Kept hashed (``kernel.tokens``): the token itself is shown once, when it is created
    (``orders.services.create_integration_token``), and can never be seen again.
    """

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")
        ordering = ["name", "id"]


class ApiRequestLog(models.Model):
    """One row per request to ``/api/``, refused ones (401, 4xx) included. Append-only."""

    token = models.ForeignKey(
        IntegrationToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("token"),
    )
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
    token = models.ForeignKey(
        IntegrationToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publish_rejections",
        verbose_name=_("token"),
    )

    class Meta:
        verbose_name = _("refused publish event")
        verbose_name_plural = _("refused publish events")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.video_id} → {self.line_id}"
