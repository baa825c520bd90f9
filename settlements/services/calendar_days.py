"""The official calendar: entering and removing days, and recomputing open due dates (§7)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CalendarDay, Settlement, SettlementEvent
from .due_dates import due_dates
from .errors import SettlementError
from .records import actor_name


def enter_calendar_day(
    *,
    day: date,
    is_working_day: bool,
    source: str,
    note: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime,
) -> tuple[CalendarDay, int]:
    """Record an official day (it wins over the library) and recompute open due dates.

    Returns the day and how many due dates moved.
    """
    if not source.strip():
        raise SettlementError(_("Say where the official day comes from."))
    with transaction.atomic():
        entry, _created = CalendarDay.objects.update_or_create(
            date=day,
            defaults={
                "is_working_day": is_working_day,
                "source": source.strip(),
                "note": note,
                "created_by": actor,
            },
        )
        return entry, recompute_due_dates(now=now, actor=actor)


def remove_calendar_days(
    *, days: Sequence[CalendarDay], actor: AbstractBaseUser | None = None, now: datetime
) -> int:
    """Delete days entered by mistake and recompute open due dates; returns how many moved."""
    with transaction.atomic():
        CalendarDay.objects.filter(pk__in=[d.pk for d in days]).delete()
        return recompute_due_dates(now=now, actor=actor)


def recompute_due_dates(*, now: datetime, actor: AbstractBaseUser | None = None) -> int:
    """Recompute the due date of every unpaid settlement from the calendar as it is now (§7).

    Provisional dates become final once their year's official days are entered, and a day entered
    or removed later moves the dates it affects. Paid and closed settlements keep theirs: it is
    the date they were held to. Returns how many changed.
    """
    with transaction.atomic():
        settlements = list(
            Settlement.objects.select_for_update()
            .filter(status__in=Settlement.OPEN)
            .only("pk", "service_ended_at", "due_date", "due_date_provisional")
        )
        if not settlements:
            return 0
        due_by_day = due_dates([s.service_ended_at for s in settlements])
        changed = []
        for s in settlements:
            due = due_by_day[timezone.localdate(s.service_ended_at)]
            if (due.date, due.provisional) != (s.due_date, s.due_date_provisional):
                changed.append((s, s.due_date, due))
                s.due_date, s.due_date_provisional = due.date, due.provisional
        Settlement.objects.bulk_update(
            [s for s, _, _ in changed], ["due_date", "due_date_provisional"]
        )
        SettlementEvent.objects.bulk_create(
            SettlementEvent(
                settlement=s,
                type=SettlementEvent.Type.DUE_DATE_RECOMPUTED,
                actor=actor,
                actor_name=actor_name(actor),
                at=now,
                data={
                    "from": old.isoformat(),
                    "to": due.date.isoformat(),
                    "provisional": due.provisional,
                },
            )
            for s, old, due in changed
        )
        return len(changed)
