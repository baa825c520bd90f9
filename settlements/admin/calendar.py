"""The official calendar in the admin: the entered days, entering one, entering a year's notice.

Every change goes through ``settlements.services``, which recomputes open due dates and audits it
on the day's year. The admin warns when an entry contradicts the official library (the entry
still wins, DESIGN §7). Bulk entry reads the State Council notice as pasted
(``settlements.calendar_notice``): a preview that writes nothing, then one confirmed transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.admin.base import ConditionFilter, admin_view_path

from .. import calendar, selectors, services
from ..calendar_notice import Notice, NoticeDay, parse_notice
from ..models import CalendarDay
from ..services.calendar_days import FIRST_YEAR, LAST_YEAR
from .base import DASH, ActionForm, error_text
from .calendar_years import (
    days_list_url,
    kind_label,
    may_maintain_calendar,
    message_recomputed,
    year_status,
    year_url,
)

BULK_TEMPLATE = "admin/settlements/calendarday/bulk_entry.html"
NOTICE_MAX_LENGTH = 20_000
SOURCE_SHOWN = 12  # characters of the source in the list (notice titles are long)


def library_label(day: date) -> str:
    """What the official calendar library says of ``day``: 工作日, 休息日, or not covered."""
    verdict = calendar.library_is_business_day(day)
    if verdict is None:
        return gettext("Not in the library")
    return gettext("Working day") if verdict else gettext("Day off")


def contradiction_warning(day: date, is_working_day: bool) -> str:
    """The warning shown when an entry disagrees with the library (it is saved all the same)."""
    return gettext(
        "%(date)s contradicts the official calendar library: the library says “%(library)s”, "
        "the entry says “%(kind)s”. The entry wins: check it against the State Council notice."
    ) % {
        "date": day.isoformat(),
        "library": library_label(day),
        "kind": kind_label(is_working_day),
    }


class YearFilter(admin.SimpleListFilter):
    """The entered days of one year."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


class KindFilter(ConditionFilter):
    """Holidays or make-up working days."""

    title = _("kind of day")
    parameter_name = "kind"
    conditions = {
        "holiday": (_("Official holiday"), Q(is_working_day=False)),
        "working": (_("Make-up working day"), Q(is_working_day=True)),
    }


class NoticeForm(ActionForm):
    """A year's official days as pasted from the State Council notice (syntax on the page)."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("Where the days come from, e.g. the State Council notice's title."),
        widget=forms.TextInput(attrs={"size": 60}),
    )
    text = forms.CharField(
        label=_("Official days"),
        max_length=NOTICE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 60}),
    )


class ConfirmForm(NoticeForm):
    """The preview's hidden copy of the notice, with the key that makes confirming replay-safe."""

    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget = forms.HiddenInput()
        self.fields["source"].widget = forms.HiddenInput()
        # A hidden textarea keeps the pasted lines exactly; an input would be one line.
        self.fields["text"].widget = forms.Textarea(attrs={"hidden": True})


@dataclass(frozen=True)
class PreviewRow:
    """One day read from the paste, beside what the calendar holds for it now."""

    day: NoticeDay
    weekday: str
    kind: str
    library: str
    existing: str
    contradicts_library: bool
    replaces_entry: bool
    unchanged: bool
    outside_year: bool

    @property
    def flagged(self) -> bool:
        return self.contradicts_library or self.replaces_entry or self.outside_year


def preview_rows(notice: Notice, year: int) -> list[PreviewRow]:
    """The paste's days with their conflicts: with the library, with entries, with the year."""
    existing = selectors.calendar_entries(d.date for d in notice.days)
    rows = []
    for d in notice.days:
        entry = existing.get(d.date)
        rows.append(
            PreviewRow(
                day=d,
                weekday=date_format(d.date, "l"),
                kind=kind_label(d.is_working_day),
                library=library_label(d.date),
                existing=kind_label(entry.is_working_day) if entry else DASH,
                contradicts_library=calendar.contradicts_library(d.date, d.is_working_day),
                replaces_entry=entry is not None and entry.is_working_day != d.is_working_day,
                unchanged=entry is not None
                and (entry.is_working_day, entry.note) == (d.is_working_day, d.note),
                outside_year=d.date.year != year,
            )
        )
    return rows


def year_totals_after(notice: Notice, year: int) -> selectors.DayCounts:
    """How many holidays and make-up working days ``year`` will have once the paste is in."""
    days = selectors.calendar_overrides([year])
    days.update({d.date: d.is_working_day for d in notice.days if d.date.year == year})
    working = sum(days.values())
    return selectors.DayCounts(len(days) - working, working)


def default_year() -> int:
    """The first year from this one that the library does not know: the one to enter."""
    year = timezone.localdate().year
    while calendar.library_covers(year):
        year += 1
    return year


class CalendarDayAdmin(admin.ModelAdmin):
    """Operators enter official days; every save recomputes open due dates (DESIGN §7)."""

    list_display = (
        "date",
        "weekday",
        "day_type",
        "library_day",
        "contradiction",
        "note",
        "source_short",
        "created_by",
    )
    list_filter = (YearFilter, KindFilter)
    search_fields = ("note", "source")
    list_select_related = ("created_by",)
    fields = ("date", "is_working_day", "note", "source")

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarDay | None = None
    ) -> tuple[str, ...]:
        # A day is entered once; entering another date is another row.
        return ("date",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: CalendarDay | None = None) -> bool:
        # Deleting silently moves due dates, so only superusers may, and dates are recomputed.
        return request.user.is_active and request.user.is_superuser

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return date_format(day.date, "l")

    @admin.display(description=_("kind of day"), ordering="is_working_day")
    def day_type(self, day: CalendarDay) -> str:
        return kind_label(day.is_working_day)

    @admin.display(description=_("official library"))
    def library_day(self, day: CalendarDay) -> str:
        return library_label(day.date)

    @admin.display(description=_("contradicts the library"))
    def contradiction(self, day: CalendarDay) -> str:
        if calendar.contradicts_library(day.date, day.is_working_day):
            return format_html(
                '<span class="sb-flag">{}</span>', gettext("⚠ Contradicts the library")
            )
        return ""

    @admin.display(description=_("source"), ordering="source")
    def source_short(self, day: CalendarDay) -> str:
        # Notice titles are long; the full text is in the title and on the day's page.
        short = Truncator(day.source).chars(SOURCE_SHOWN)
        return format_html('<span title="{}">{}</span>', day.source, short)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        years = [
            {
                "year": y.year,
                "status": year_status(y),
                "complete": y.is_complete,
                "library": calendar.library_covers(y.year),
                "holidays": y.holidays,  # type: ignore[attr-defined]
                "working_days": y.working_days,  # type: ignore[attr-defined]
                "complete_url": year_url(y.year, "complete"),
                "reopen_url": year_url(y.year, "reopen"),
            }
            for y in selectors.calendar_years_with_counts()
        ]
        extra_context = {
            **(extra_context or {}),
            "calendar_years": years,
            "may_maintain_calendar": may_maintain_calendar(request.user),
        }
        return super().changelist_view(request, extra_context)

    def save_model(
        self, request: HttpRequest, obj: CalendarDay, form: ModelForm, change: bool
    ) -> None:
        entry, changed = services.enter_calendar_day(
            day=obj.date,
            is_working_day=obj.is_working_day,
            source=obj.source,
            note=obj.note,
            actor=request.user,
            now=timezone.now(),
        )
        # The admin logs and links the saved row; the service wrote it.
        obj.pk, obj.created_by, obj.created_at = entry.pk, entry.created_by, entry.created_at
        obj._state.adding = False
        if calendar.contradicts_library(entry.date, entry.is_working_day):
            messages.warning(request, contradiction_warning(entry.date, entry.is_working_day))
        message_recomputed(request, changed)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        self.delete_queryset(request, [obj])

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[CalendarDay] | list[CalendarDay]
    ) -> None:
        changed = services.remove_calendar_days(
            days=list(queryset), actor=request.user, now=timezone.now()
        )
        message_recomputed(request, changed)

    # -- entering a year's notice --

    def get_urls(self) -> list[URLPattern]:
        return [admin_view_path(self, "bulk/", self.bulk_entry_view, "bulk"), *super().get_urls()]

    def bulk_entry_view(self, request: HttpRequest) -> HttpResponse:
        """Enter a year's official days: paste, preview (writes nothing), confirm (§7).

        Confirming posts the previewed text back with the preview's key; the service enters every
        day in one transaction, and the same key again writes nothing. "Confirm and mark complete"
        also marks the year complete in that transaction.
        """
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        if request.method != "POST":
            year = request.GET.get("year", "")
            initial = {"year": int(year) if year.isdigit() else default_year()}
            return self._bulk_page(request, NoticeForm(initial=initial))
        if "edit" in request.POST:
            return self._bulk_page(request, NoticeForm(request.POST))
        confirming = "confirm" in request.POST or "confirm_complete" in request.POST
        form = (ConfirmForm if confirming else NoticeForm)(request.POST)
        if not form.is_valid():
            return self._bulk_page(request, NoticeForm(request.POST) if confirming else form)
        data = form.cleaned_data
        notice = parse_notice(data["text"])
        if not confirming or notice.errors or not notice.days:
            return self._bulk_page(request, form, notice=notice)
        try:
            result = services.enter_official_days(
                year=data["year"],
                days=notice.days,
                source=data["source"],
                text=data["text"],
                key=str(data["key"]),
                complete="confirm_complete" in request.POST,
                actor=request.user,
                now=timezone.now(),
            )
        except services.SettlementError as error:
            return self._bulk_page(request, form, notice=notice, error=error_text(error))
        self._message_entered(request, data["year"], result)
        if not result.replayed:
            for day in notice.days:
                if calendar.contradicts_library(day.date, day.is_working_day):
                    messages.warning(request, contradiction_warning(day.date, day.is_working_day))
        return HttpResponseRedirect(days_list_url(data["year"]))

    def _bulk_page(
        self,
        request: HttpRequest,
        form: forms.Form,
        *,
        notice: Notice | None = None,
        error: str = "",
    ) -> TemplateResponse:
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Enter a year's official days"),
            "form": form,
            "error": error,
            "media": self.media + form.media,
        }
        if notice is not None:
            year = form.cleaned_data["year"]
            calendar_year = selectors.calendar_years_with_counts().filter(year=year).first()
            context |= {
                "previewing": True,
                "year": str(year),  # a label, never number-formatted
                "errors": notice.errors,
                "rows": preview_rows(notice, year),
                "after": year_totals_after(notice, year),
                "year_complete": calendar_year is not None and calendar_year.is_complete,
                "library_covers": calendar.library_covers(year),
                "confirm_form": ConfirmForm(
                    initial={
                        **form.cleaned_data,
                        "key": form.cleaned_data.get("key") or uuid.uuid4(),
                    }
                ),
            }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, BULK_TEMPLATE, context)

    def _message_entered(
        self, request: HttpRequest, year: int, result: services.OfficialDaysEntered
    ) -> None:
        if result.replayed:
            messages.warning(
                request,
                gettext("These official days were already entered by %(actor)s; nothing changed.")
                % {"actor": result.event.actor_name},
            )
            return
        messages.success(
            request,
            ngettext(
                "Entered %(count)d official day for %(year)d.",
                "Entered %(count)d official days for %(year)d.",
                result.written,
            )
            % {"count": result.written, "year": year},
        )
        complete = selectors.completed_calendar_years()
        if year in complete:
            messages.success(
                request,
                gettext("%(year)d is marked complete: its due dates are final.") % {"year": year},
            )
        elif not calendar.library_covers(year):
            messages.info(
                request,
                gettext(
                    "%(year)d is not marked complete yet: its due dates stay provisional until "
                    "it is."
                )
                % {"year": year},
            )
        message_recomputed(request, result.recomputed)
