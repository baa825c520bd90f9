"""Settlements: the immutable money outcome of every terminal boost, its audit and its calendar.

A ``Settlement`` is inserted once per terminal boost with every input of its calculation and is
never updated in its money fields (the model refuses it, and on PostgreSQL a trigger does too).
Corrections are ``Adjustment`` rows; every state change is a ``SettlementEvent``. A due row a
sweep could not process is kept out of its batches as a ``QuarantinedRow`` until a retry succeeds.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kernel.display import yuan
from kernel.fields import user_reference
from orders.models import MONEY, Boost, Influencer, LedgerEntry, ViewSnapshot

from . import causes
from .calculations import CompensationExplanation, explain_compensation


class ImmutableFieldError(Exception):
    """Raised when code tries to change a settlement's money fields after insert."""


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
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlement",
        verbose_name=_("ledger entry"),
    )

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


class SettlementEvent(models.Model):
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
    actor = user_reference(_("actor"))
    actor_name = models.CharField(_("actor name"), max_length=150, default="system")
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("settlement event")
        verbose_name_plural = _("settlement events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.actor_name}"


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
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustment",
        verbose_name=_("ledger entry"),
    )

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


class CalendarDay(models.Model):
    """An official day entered by an operator; it wins over the calendar library (DESIGN §7)."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: a make-up working day (调休上班). Unticked: a holiday."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Where the day comes from, e.g. the State Council notice."),
    )
    created_by = user_reference(_("entered by"))
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("official calendar day")
        verbose_name_plural = _("official calendar days")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休'}"


class QuarantineSweep(models.TextChoices):
    CLOSE_WINDOWS = "close_windows", _("Close windows")
    EXPIRE_UNPUBLISHED = "expire_unpublished", _("Expire unpublished boosts")
    PAY_DUE = "pay_due", _("Pay due settlements")


class QuarantineResolution(models.TextChoices):
    RETRIED = "retried", _("Processed on a retry")
    NOT_DUE = "not_due", _("No longer due")


class QuarantinedRow(models.Model):
    """A due row a sweep could not process on its own (STYLE 11: one bad row never stops others).

    The sweep's batches leave it out and each run retries it once, alone; operators see it in the
    work queue. Append-only in spirit: a failure inserts a row or bumps the open one's attempts and
    last error; a success (or the row no longer being due) sets ``resolved_at``; nothing is deleted.
    At most one open row per sweep and object.
    """

    Sweep = QuarantineSweep
    Resolution = QuarantineResolution
    ERROR_CLASS_LENGTH = 200
    ERROR_MESSAGE_LENGTH = 1000

    sweep = models.CharField(_("sweep"), max_length=30, choices=QuarantineSweep.choices)
    object_model = models.CharField(_("model"), max_length=100)
    object_id = models.BigIntegerField(_("object id"))
    error_class = models.CharField(_("error"), max_length=ERROR_CLASS_LENGTH)
    error_message = models.CharField(
        _("error message"), max_length=ERROR_MESSAGE_LENGTH, blank=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    first_failed_at = models.DateTimeField(_("first failed at"))
    last_failed_at = models.DateTimeField(_("last failed at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=QuarantineResolution.choices, blank=True
    )

    class Meta:
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantined rows")
        ordering = ["-last_failed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sweep", "object_id"],
                condition=Q(resolved_at__isnull=True),
                name="quarantine_one_open_row_per_object",
            ),
            models.CheckConstraint(
                condition=Q(sweep__in=QuarantineSweep.values),
                name="quarantine_sweep_valid",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolution="")
                | Q(resolved_at__isnull=False, resolution__in=QuarantineResolution.values),
                name="quarantine_resolved_has_resolution",
            ),
            models.CheckConstraint(
                condition=Q(attempts__gte=1), name="quarantine_attempts_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_sweep_display()} · {self.object_model} {self.object_id}"


class CalendarYear(models.Model):
    """A year whose official days operators enter; it is known once marked complete (DESIGN §7).

    Until an operator marks the year complete (all of the State Council notice is entered), its
    due dates stay provisional, however many days are in. ``completed_at`` and ``completed_by``
    are set while the year is complete and cleared when it is reopened; the history of who did
    what, when, is its ``CalendarYearEvent`` rows. Years the library covers need no row.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    completed_at = models.DateTimeField(_("marked complete at"), null=True, blank=True)
    completed_by = user_reference(_("marked complete by"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="calendaryear_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=False) | Q(completed_by__isnull=True),
                name="calendaryear_completed_by_only_when_complete",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class CalendarYearEvent(models.Model):
    """Append-only audit of one year's official calendar: each change with actor, name and time.

    ``data`` holds codes and numbers, never sentences: the dates entered (``holidays``,
    ``working_days``), the dates whose kind an entry replaced (``replaced``), the ``source`` and
    pasted ``text`` of a bulk entry, the ``removed`` dates, the counts a completion was made with,
    a reopening's ``reason``. ``key`` is a bulk entry's idempotency key: the same confirmed form
    posted twice is one event.
    """

    class Type(models.TextChoices):
        DAYS_ENTERED = "days_entered", _("Official days entered")
        DAYS_REMOVED = "days_removed", _("Official days removed")
        COMPLETED = "completed", _("Marked complete")
        REOPENED = "reopened", _("Reopened")

    calendar_year = models.ForeignKey(
        CalendarYear, on_delete=models.PROTECT, related_name="events", verbose_name=_("year")
    )
    type = models.CharField(_("event"), max_length=20, choices=Type.choices)
    actor = user_reference(_("actor"))
    actor_name = models.CharField(_("actor name"), max_length=150, default="system")
    at = models.DateTimeField(_("at"))
    data = models.JSONField(_("details"), default=dict, blank=True)
    key = models.CharField(_("idempotency key"), max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("official calendar event")
        verbose_name_plural = _("official calendar events")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=["days_entered", "days_removed", "completed", "reopened"]),
                name="calendaryearevent_type_valid",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(key__isnull=False),
                name="calendaryearevent_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar_year} · {self.get_type_display()} · {self.actor_name}"
