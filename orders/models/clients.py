"""Clients, their staff memberships and their ledger of money movements."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.fields import user_reference

from .money import MONEY


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
