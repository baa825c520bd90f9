"""Due rows a sweep could not process, kept out of its batches until a retry succeeds."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
