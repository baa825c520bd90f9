"""The working-day calendar: its days, its published years and their audit events."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kernel.audit import AuditEvent
from kernel.fields import user_reference


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


class CalendarYearEvent(AuditEvent):
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
    data = models.JSONField(_("details"), default=dict, blank=True)
    key = models.CharField(_("idempotency key"), max_length=64, null=True, blank=True)

    class Meta(AuditEvent.Meta):
        verbose_name = _("official calendar event")
        verbose_name_plural = _("official calendar events")
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
