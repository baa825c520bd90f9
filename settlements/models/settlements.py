"""Settlements, the immutable money outcome of a terminal boost, and their audit events."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.audit import AuditEvent
from kernel.display import yuan
from orders.models import MONEY, Boost, LedgerEntry, ViewSnapshot

from .. import causes
from ..calculations import CompensationExplanation, explain_compensation


class ImmutableFieldError(Exception):
    """Raised when code tries to change a settlement's money fields after insert."""


def ledger_entry_reference(related_name: str) -> models.OneToOneField[Any, Any]:
    """The one ledger entry a row's money was posted as: empty until it is posted, then set once;
    protected, as every reference from money is."""
    return models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=_("ledger entry"),
    )


def overdue_q(today: date) -> Q:
    """Overdue (DESIGN §7): due before ``today`` (Asia/Shanghai) and still to pay.

    Still to pay means scheduled or held; paid and closed settlements are never overdue.
    """
    return Q(due_date__lt=today, status__in=Settlement.OPEN)


class SettlementQuerySet(models.QuerySet):
    """Refuses bulk writes to the money fields, which ``save`` alone would not catch."""

    def overdue(self, today: date) -> SettlementQuerySet:
        """The settlements overdue on ``today`` (see ``overdue_q``)."""
        return self.filter(overdue_q(today))

    def update(self, **kwargs):
        _refuse_money_fields(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        _refuse_money_fields(fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)


def _refuse_money_fields(fields) -> None:
    touched = {f.removesuffix("_id") for f in fields} & {
        f.removesuffix("_id") for f in Settlement.MONEY_FIELDS
    }
    if touched:
        raise ImmutableFieldError(
            f"Settlement {', '.join(sorted(touched))} cannot change; add an adjustment."
        )


class SettlementKind(models.TextChoices):
    NONE = "none", _("Nothing owed")
    COMPENSATION = "compensation", _("Compensation")
    REFUND = "refund", _("Refund")


class ShortfallCause(models.TextChoices):
    """Why a window fell short (DESIGN §5, ``settlements.causes``); only compensations have one."""

    NATURAL = causes.NATURAL, _("Natural")
    CREATOR_CAUSED = causes.CREATOR_CAUSED, _("Creator-caused")
    PLATFORM_CAUSED = causes.PLATFORM_CAUSED, _("Platform-caused")


class SettlementStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    PAID = "paid", _("Paid")
    CLOSED = "closed", _("Closed, nothing to pay")


class Settlement(models.Model):
    """The outcome of one terminal boost (DESIGN §8): what is owed, why, and by when.

    Invariants: one per boost; the money fields (``MONEY_FIELDS``) never change after insert; an
    amount of 0 (kind ``none``, or a shortfall too small to reach a fen) is ``closed`` at once; a
    ``paid`` one has exactly one ledger credit.
    """

    Kind = SettlementKind
    Status = SettlementStatus
    Cause = ShortfallCause
    # Still to pay: the statuses a payout sweep or Finance can still act on.
    OPEN = (SettlementStatus.SCHEDULED, SettlementStatus.HELD)
    # The outcomes of a closed window (as opposed to refunds).
    WINDOW_KINDS = (SettlementKind.NONE, SettlementKind.COMPENSATION)
    MONEY_FIELDS = (
        "boost_id",
        "kind",
        "expected_views",
        "actual_views",
        "snapshot_id",
        "snapshot_observed_at",
        "fixed_price",
        "boost_fee",
        "expected_cpm",
        "raw_amount",
        "cap_applied",
        "amount",
        "formula_version",
        "computed_at",
        "service_ended_at",
        "cause",
    )

    boost = models.OneToOneField(
        Boost, on_delete=models.PROTECT, related_name="settlement", verbose_name=_("boost")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SettlementKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=SettlementStatus.choices)
    expected_views = models.BigIntegerField(_("expected views"))
    actual_views = models.BigIntegerField(_("actual views"), null=True, blank=True)
    snapshot = models.ForeignKey(
        ViewSnapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closing snapshot"),
    )
    snapshot_observed_at = models.DateTimeField(_("snapshot observed at"), null=True, blank=True)
    fixed_price = models.DecimalField(_("fixed price"), **MONEY)
    boost_fee = models.DecimalField(_("boost fee"), **MONEY)
    expected_cpm = models.DecimalField(
        _("expected CPM"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    raw_amount = models.DecimalField(
        _("raw amount"), max_digits=22, decimal_places=6, null=True, blank=True
    )
    cap_applied = models.BooleanField(_("cap applied"), default=False)
    amount = models.DecimalField(_("amount"), **MONEY)
    formula_version = models.CharField(_("formula version"), max_length=10)
    computed_at = models.DateTimeField(_("computed at"))
    service_ended_at = models.DateTimeField(_("service ended at"))
    due_date = models.DateField(_("due date"))
    due_date_provisional = models.BooleanField(_("due date provisional"), default=False)
    cause = models.CharField(
        _("shortfall cause"), max_length=20, choices=ShortfallCause.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    ledger_entry = ledger_entry_reference("settlement")

    objects = SettlementQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-computed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # Insights select settlements by when they were computed and paid.
            models.Index(fields=["computed_at"], name="settlement_computed_at"),
            models.Index(fields=["paid_at"], name="settlement_paid_at"),
            # The payout sweep walks scheduled rows in id order; a partial index keeps that plan
            # cheap whatever the table's statistics say about a sudden backlog.
            models.Index(
                fields=["id"], condition=Q(status="scheduled"), name="settlement_scheduled_id"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SettlementKind.values), name="settlement_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SettlementStatus.values), name="settlement_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, fixed_price__gte=0, boost_fee__gte=0),
                name="settlement_money_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=F("boost_fee")), name="settlement_amount_within_fee"
            ),
            models.CheckConstraint(
                condition=Q(amount=0, status="closed") | (Q(amount__gt=0) & ~Q(status="closed")),
                name="settlement_nothing_to_pay_is_closed",
            ),
            models.CheckConstraint(
                condition=~Q(kind="none") | Q(amount=0), name="settlement_none_pays_nothing"
            ),
            models.CheckConstraint(
                condition=Q(kind="compensation", cause__in=ShortfallCause.values)
                | (~Q(kind="compensation") & Q(cause="")),
                name="settlement_compensation_has_cause",
            ),
            models.CheckConstraint(
                condition=Q(status="paid", paid_at__isnull=False, ledger_entry__isnull=False)
                | (~Q(status="paid") & Q(paid_at__isnull=True, ledger_entry__isnull=True)),
                name="settlement_paid_has_ledger_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {yuan(self.amount)} · {self.boost_id}"

    def save(self, *args, **kwargs) -> None:
        """Refuse to change money fields of a stored settlement (DESIGN §8: never updated)."""
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values(*self.MONEY_FIELDS).first()
            changed = [f for f in self.MONEY_FIELDS if stored and stored[f] != getattr(self, f)]
            if changed:
                raise ImmutableFieldError(
                    f"Settlement {self.pk}: {', '.join(changed)} cannot change; add an adjustment."
                )
        super().save(*args, **kwargs)

    def is_overdue(self, today: date) -> bool:
        """The row-level form of ``overdue_q``: due before ``today`` and still to pay."""
        return self.due_date < today and self.status in self.OPEN

    @property
    def explanation(self) -> CompensationExplanation | None:
        """The calculation behind a window outcome, rebuilt from the stored inputs (§6).

        None for refunds, whose amount is simply the boost fee.
        """
        if self.kind == SettlementKind.REFUND:
            return None
        return explain_compensation(
            self.expected_views, self.actual_views or 0, self.fixed_price, self.boost_fee
        )


class SettlementEvent(AuditEvent):
    """Append-only audit of a settlement: each state change with actor, name snapshot and time."""

    class Type(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CLOSED = "closed", _("Closed")
        HELD = "held", _("Held")
        RELEASED = "released", _("Released")
        PAID = "paid", _("Paid")
        DUE_DATE_RECOMPUTED = "due_date_recomputed", _("Due date recomputed")
        ADJUSTMENT_REQUESTED = "adjustment_requested", _("Adjustment requested")
        ADJUSTED = "adjusted", _("Adjusted")
        ADJUSTMENT_REJECTED = "adjustment_rejected", _("Adjustment rejected")
        RECOVERY_OPENED = "recovery_opened", _("Recovery case opened")
        RECOVERY_PROPOSED = "recovery_proposed", _("Recovery decision proposed")
        RECOVERY_DECIDED = "recovery_decided", _("Recovery decided")
        RECOVERY_PROPOSAL_REJECTED = "recovery_proposal_rejected", _("Recovery proposal rejected")

    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, related_name="events", verbose_name=_("settlement")
    )
    type = models.CharField(_("event"), max_length=30, choices=Type.choices)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("settlement event")
        verbose_name_plural = _("settlement events")

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.actor_name}"
