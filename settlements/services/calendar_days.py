"""The official calendar: entering and removing days, completing a year, recomputing due dates (§7).

Every change is audited on its year (``CalendarYearEvent``) and recomputes the open due dates in
the same transaction. Locks are taken in one order: calendar years (by year), then settlements
(in ``recompute_due_dates``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.services import actor_name

from ..calendar import library_covers
from ..calendar_notice import NoticeDay
from ..models import CalendarDay, CalendarYear, CalendarYearEvent, Settlement, SettlementEvent
from ..selectors import calendar_day_counts, calendar_entries
from .due_dates import due_dates
from .errors import SettlementError

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the CalendarYear check constraint


class OfficialDaysEntered(NamedTuple):
    """What a bulk entry did: its audit event, how many days it wrote, how many due dates moved.

    ``replayed`` is True when the same confirmed form had been posted before: nothing was written
    and ``event`` is the first post's.
    """

    event: CalendarYearEvent
    replayed: bool
    written: int
    recomputed: int


class YearChange(NamedTuple):
    """Whether marking or reopening a year changed it (False: already so), and dates moved."""

    changed: bool
    recomputed: int


def enter_calendar_day(
    *,
    day: date,
    is_working_day: bool,
    source: str,
    note: str = "",
    actor: User | None = None,
    now: datetime,
) -> tuple[CalendarDay, int]:
    """Record an official day (it wins over the library) and recompute open due dates.

    Entering a day does not make its year known: only ``complete_calendar_year`` does (§7).
    Returns the day and how many due dates moved.
    """
    if not source.strip():
        raise SettlementError(_("Say where the official day comes from."))
    with transaction.atomic():
        calendar_year = _locked_years([day.year])[day.year]
        previous = calendar_entries([day]).get(day)
        entry, _created = CalendarDay.objects.update_or_create(
            date=day,
            defaults={
                "is_working_day": is_working_day,
                "source": source.strip(),
                "note": note,
                "created_by": actor,
            },
        )
        replaced = previous is not None and previous.is_working_day != is_working_day
        _log(
            calendar_year,
            CalendarYearEvent.Type.DAYS_ENTERED,
            actor=actor,
            now=now,
            **_entered_data([entry], [day] if replaced else [], source=source.strip()),
        )
        return entry, recompute_due_dates(now=now, actor=actor)


def enter_official_days(
    *,
    year: int,
    days: Sequence[NoticeDay],
    source: str,
    text: str,
    key: str,
    complete: bool = False,
    actor: User | None = None,
    now: datetime,
) -> OfficialDaysEntered:
    """Enter a year's official days read from the State Council notice, in one transaction.

    A date already entered the same way (same kind and note) is left as it is; one entered the
    other way is replaced (entries are per date). The audit event keeps the pasted ``text`` and
    ``source``. ``key`` is the confirm form's idempotency key: posting it again writes nothing
    (backed by a unique constraint). With ``complete`` the year is also marked complete.
    """
    source = source.strip()
    if not source:
        raise SettlementError(_("Say where the official days come from."))
    if not days:
        raise SettlementError(_("There are no official days to enter."))
    if not key:
        raise SettlementError(_("This form has no key; open the page again."))
    _check_year(year)
    with transaction.atomic():
        calendar_year = _locked_years([year, *(d.date.year for d in days)])[year]
        earlier = CalendarYearEvent.objects.filter(key=key).first()
        if earlier is not None:
            return OfficialDaysEntered(earlier, replayed=True, written=0, recomputed=0)
        existing = calendar_entries(d.date for d in days)
        new, changed, replaced = [], [], []
        for d in days:
            entry = existing.get(d.date)
            if entry is None:
                new.append(_entry(d, source, actor))
            elif (entry.is_working_day, entry.note) != (d.is_working_day, d.note):
                if entry.is_working_day != d.is_working_day:
                    replaced.append(d.date)
                entry.is_working_day, entry.note, entry.source, entry.created_by = (
                    d.is_working_day,
                    d.note,
                    source,
                    actor,
                )
                changed.append(entry)
        CalendarDay.objects.bulk_create(new)
        CalendarDay.objects.bulk_update(changed, ["is_working_day", "note", "source", "created_by"])
        event = _log(
            calendar_year,
            CalendarYearEvent.Type.DAYS_ENTERED,
            actor=actor,
            now=now,
            key=key,
            unchanged=len(days) - len(new) - len(changed),
            **_entered_data([*new, *changed], replaced, source=source, text=text),
        )
        if complete:
            _complete(calendar_year, note="", actor=actor, now=now)
        recomputed = recompute_due_dates(now=now, actor=actor)
        return OfficialDaysEntered(
            event, replayed=False, written=len(new) + len(changed), recomputed=recomputed
        )


def remove_calendar_days(
    *, days: Sequence[CalendarDay], actor: User | None = None, now: datetime
) -> int:
    """Delete days entered by mistake and recompute open due dates; returns how many moved."""
    with transaction.atomic():
        dates = sorted(
            CalendarDay.objects.filter(pk__in=[d.pk for d in days]).values_list("date", flat=True)
        )
        years = _locked_years(d.year for d in dates)
        CalendarDay.objects.filter(date__in=dates).delete()
        for year, calendar_year in years.items():
            removed = [d.isoformat() for d in dates if d.year == year]
            _log(
                calendar_year,
                CalendarYearEvent.Type.DAYS_REMOVED,
                actor=actor,
                now=now,
                removed=removed,
            )
        return recompute_due_dates(now=now, actor=actor)


def complete_calendar_year(
    *, year: int, note: str = "", actor: User | None = None, now: datetime
) -> YearChange:
    """Mark ``year``'s official days complete: its due dates become final (DESIGN §7).

    The operator says every holiday and make-up working day of the State Council notice is
    entered; the audit event keeps how many there were. Refused for a year the library already
    knows, or with no holiday entered. A no-op when the year is already complete.
    """
    with transaction.atomic():
        calendar_year = _locked_years([year])[year]
        if calendar_year.is_complete:
            return YearChange(changed=False, recomputed=0)
        _complete(calendar_year, note=note.strip(), actor=actor, now=now)
        return YearChange(changed=True, recomputed=recompute_due_dates(now=now, actor=actor))


def reopen_calendar_year(
    *, year: int, reason: str, actor: User | None = None, now: datetime
) -> YearChange:
    """Take back a year's completion (a day was missing): its due dates are provisional again.

    A no-op when the year is not complete.
    """
    if not reason.strip():
        raise SettlementError(_("Say why the year is reopened."))
    with transaction.atomic():
        calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
        if calendar_year is None or not calendar_year.is_complete:
            return YearChange(changed=False, recomputed=0)
        calendar_year.completed_at = calendar_year.completed_by = None
        calendar_year.save(update_fields=["completed_at", "completed_by"])
        _log(
            calendar_year,
            CalendarYearEvent.Type.REOPENED,
            actor=actor,
            now=now,
            reason=reason.strip(),
            **calendar_day_counts(year)._asdict(),
        )
        return YearChange(changed=True, recomputed=recompute_due_dates(now=now, actor=actor))


def recompute_due_dates(*, now: datetime, actor: User | None = None) -> int:
    """Recompute the due date of every unpaid settlement from the calendar as it is now (§7).

    Provisional dates become final once their year is marked complete, and a day entered or
    removed later moves the dates it affects. Paid and closed settlements keep theirs: it is
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


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise SettlementError(
            _("Enter a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


def _locked_years(years: Iterable[int]) -> dict[int, CalendarYear]:
    """The calendar years, created when missing and locked in year order (the one lock order)."""
    wanted = sorted(set(years))
    for year in wanted:
        _check_year(year)
        CalendarYear.objects.get_or_create(year=year)
    locked = CalendarYear.objects.select_for_update().filter(year__in=wanted).order_by("year")
    return {y.year: y for y in locked}


def _complete(calendar_year: CalendarYear, *, note: str, actor: User | None, now: datetime) -> None:
    if library_covers(calendar_year.year):
        raise SettlementError(
            _("The official calendar library already has %(year)d; it needs no marking.")
            % {"year": calendar_year.year}
        )
    counts = calendar_day_counts(calendar_year.year)
    if not counts.holidays:
        raise SettlementError(
            _("No holiday of %(year)d is entered yet: enter the notice's days first.")
            % {"year": calendar_year.year}
        )
    calendar_year.completed_at, calendar_year.completed_by, calendar_year.note = now, actor, note
    calendar_year.save(update_fields=["completed_at", "completed_by", "note"])
    _log(
        calendar_year,
        CalendarYearEvent.Type.COMPLETED,
        actor=actor,
        now=now,
        note=note,
        **counts._asdict(),
    )


def _entry(day: NoticeDay, source: str, actor: User | None) -> CalendarDay:
    return CalendarDay(
        date=day.date,
        is_working_day=day.is_working_day,
        note=day.note,
        source=source,
        created_by=actor,
    )


def _entered_data(
    days: Iterable[CalendarDay], replaced: Sequence[date], **extra: str
) -> dict[str, Any]:
    """An entry's audit details: the dates written by kind, those whose kind changed, where from."""
    listed = list(days)
    return {
        "holidays": [d.date.isoformat() for d in listed if not d.is_working_day],
        "working_days": [d.date.isoformat() for d in listed if d.is_working_day],
        "replaced": [d.isoformat() for d in replaced],
        **extra,
    }


def _log(
    calendar_year: CalendarYear,
    type_: str,
    *,
    actor: User | None,
    now: datetime,
    key: str | None = None,
    **data: Any,
) -> CalendarYearEvent:
    """Append one audit event to a calendar year's trail."""
    return CalendarYearEvent.objects.create(
        calendar_year=calendar_year,
        type=type_,
        actor=actor,
        actor_name=actor_name(actor),
        at=now,
        data=data,
        key=key,
    )
