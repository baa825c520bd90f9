"""Sweep heartbeats: one row per run of a periodic sweep, written by Celery signals."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SweepRun(models.Model):
    """One run of a sweep task (DESIGN §9), recorded when the worker starts and ends it.

    Invariants: ``finished_at`` is empty while the run is going on (or when its worker died
    mid-run: the redelivered message starts a new row under the same ``task_id``);
    ``succeeded`` is true only once finished without an exception, and then ``error`` is empty.
    Rows are written by the worker only; the admin shows them read-only.
    """

    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=255)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["task_name", "-started_at"], name="sweeprun_task_started"),
            models.Index(fields=["task_id"], name="sweeprun_task_id"),
            models.Index(
                fields=["task_name", "-finished_at"],
                condition=models.Q(succeeded=True),
                name="sweeprun_successes",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(succeeded=False) | models.Q(finished_at__isnull=False, error=""),
                name="sweeprun_success_is_finished_without_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} @ {self.started_at:%Y-%m-%d %H:%M:%S}"
