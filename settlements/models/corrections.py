"""What follows a settlement: four-eyes adjustments and recovery cases claimed from influencers."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.display import yuan
from kernel.fields import user_reference
from orders.models import MONEY, Influencer

from .settlements import Settlement, ledger_entry_reference


class Adjustment(models.Model):
    """A correction to a settlement: a signed amount with a reason, approved by a second person.

    ``reason`` is finance's internal account of why; ``client_note`` is what the client reads on
    the order page and the statement once it is approved. Approved adjustments keep the
    settlement's net within [0, boost fee] (``settlements.corrections``).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    settlement = models.ForeignKey(
        Settlement,
        on_delete=models.PROTECT,
        related_name="adjustments",
        verbose_name=_("settlement"),
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    client_note = models.CharField(
        _("note for the client"),
        max_length=300,
        help_text=_("Shown to the client once approved; the reason stays internal."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = user_reference(_("requested by"), optional=False)
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = user_reference(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    ledger_entry = ledger_entry_reference("adjustment")

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "approved", "rejected"]),
                name="adjustment_status_valid",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_amount_non_zero"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="adjustment_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status="approved", ledger_entry__isnull=False)
                | (~Q(status="approved") & Q(ledger_entry__isnull=True)),
                name="adjustment_approved_has_ledger_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+} · {self.reason}"


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECOVERED = "recovered", _("Recovered")
    WAIVED = "waived", _("Waived")


class RecoveryCase(models.Model):
    """The compensation a creator-caused shortfall cost, claimed back from the influencer (§5).

    One per creator-caused compensation, opened with the settlement. Finance decides it four-eyes,
    as adjustments: one user proposes ``recovered`` or ``waived`` with a reason, another approves
    (the case takes the proposed status) or rejects the proposal (it stays open). A decided case is
    final. The history is its settlement's events.
    """

    Status = RecoveryStatus

    settlement = models.OneToOneField(
        Settlement,
        on_delete=models.PROTECT,
        related_name="recovery",
        verbose_name=_("settlement"),
    )
    influencer = models.ForeignKey(
        Influencer,
        on_delete=models.PROTECT,
        related_name="recovery_cases",
        verbose_name=_("influencer"),
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))
    proposed_status = models.CharField(
        _("proposed decision"), max_length=20, choices=RecoveryStatus.choices, blank=True
    )
    proposed_reason = models.CharField(_("reason"), max_length=300, blank=True)
    proposed_by = user_reference(_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_by = user_reference(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery case")
        verbose_name_plural = _("recovery cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RecoveryStatus.values), name="recovery_status_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(
                condition=Q(proposed_status__in=["", "recovered", "waived"]),
                name="recovery_proposed_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True)
                | (~Q(status="open") & Q(decided_at__isnull=False, proposed_status=F("status"))),
                name="recovery_decided_as_proposed",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="recovery_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.influencer_id} · {yuan(self.amount)} · {self.get_status_display()}"
