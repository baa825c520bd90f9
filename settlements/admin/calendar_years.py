"""Official calendar years in the admin: which are complete, their audit trail, mark or reopen.

A year entered by operators is known only once an operator marks it complete on a confirmation
page (DESIGN §7); both that and reopening call ``settlements.services`` and need the permission to
maintain the calendar (``settlements.change_calendarday``). The years themselves are read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.admin import ReadOnlyAdminMixin
from orders.admin.base import admin_view_path, column

from .. import calendar, selectors, services
from ..models import CalendarDay, CalendarYear, CalendarYearEvent
from .base import DASH, ActionForm, AuditTrailInline, error_text, local_time, reason_field

CALENDAR_PERMISSION = "settlements.change_calendarday"
YEAR_CONFIRM_TEMPLATE = "admin/settlements/calendarday/year_confirm.html"


def may_maintain_calendar(user: Any) -> bool:
    """Whether ``user`` may enter official days and mark a year complete (Operations may)."""
    return user.is_active and user.has_perm(CALENDAR_PERMISSION)


def kind_label(is_working_day: bool) -> str:
    """An entered day's kind in the seed's words: 调休上班 or 法定节假日."""
    return gettext("Make-up working day") if is_working_day else gettext("Official holiday")


def year_status(calendar_year: CalendarYear) -> str:
    """Whether the year's due dates are final, and why."""
    if calendar.library_covers(calendar_year.year):
        return gettext("Known from the official calendar library")
    if calendar_year.is_complete:
        return gettext("Complete: due dates are final")
    return gettext("Not marked complete: due dates stay provisional")


def year_url(year: int, step: str) -> str:
    """The confirmation page that marks ``year`` complete (``complete``) or reopens it."""
    return reverse(f"admin:settlements_calendaryear_{step}", args=[year])


def days_list_url(year: int) -> str:
    """The list of entered days, filtered to ``year``."""
    return f"{reverse('admin:settlements_calendarday_changelist')}?year={year}"


def describe_event(event: CalendarYearEvent) -> str:
    """An audit event's details in the reader's language (the row stores codes and numbers)."""
    data = event.data
    if event.type == CalendarYearEvent.Type.DAYS_ENTERED:
        parts = [_counts(len(data.get("holidays", [])), len(data.get("working_days", [])))]
        if data.get("replaced"):
            parts.append(
                gettext("kind changed on %(dates)s") % {"dates": ", ".join(data["replaced"])}
            )
        if data.get("unchanged"):
            parts.append(
                ngettext(
                    "%(count)d already entered the same way",
                    "%(count)d already entered the same way",
                    data["unchanged"],
                )
                % {"count": data["unchanged"]}
            )
        if data.get("source"):
            parts.append(gettext("source: %(source)s") % {"source": data["source"]})
        return gettext("; ").join(parts)
    if event.type == CalendarYearEvent.Type.DAYS_REMOVED:
        return gettext("removed %(dates)s") % {"dates": ", ".join(data.get("removed", []))}
    counts = _counts(data.get("holidays", 0), data.get("working_days", 0))
    if event.type == CalendarYearEvent.Type.COMPLETED:
        text = gettext("marked complete with %(counts)s") % {"counts": counts}
        return gettext("; ").join([text, data["note"]]) if data.get("note") else text
    return gettext("reopened with %(counts)s: %(reason)s") % {
        "counts": counts,
        "reason": data.get("reason", ""),
    }


def _counts(holidays: int, working_days: int) -> str:
    return gettext("%(holidays)s, %(working)s") % {
        "holidays": ngettext("%(count)d official holiday", "%(count)d official holidays", holidays)
        % {"count": holidays},
        "working": ngettext(
            "%(count)d make-up working day", "%(count)d make-up working days", working_days
        )
        % {"count": working_days},
    }


class CompleteYearForm(ActionForm):
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Optional, kept in the audit trail, e.g. the notice's number."),
        widget=forms.TextInput(attrs={"size": 60}),
    )


class ReopenYearForm(ActionForm):
    reason = reason_field()


class CalendarYearEventInline(AuditTrailInline):
    """A year's audit trail on its page."""

    model = CalendarYearEvent
    fields = ("at", "type", "actor_name", "details", "pasted_text")
    readonly_fields = fields

    @admin.display(description=_("details"))
    def details(self, event: CalendarYearEvent) -> str:
        return describe_event(event)

    @admin.display(description=_("pasted text"))
    def pasted_text(self, event: CalendarYearEvent) -> str:
        text = event.data.get("text")
        if not text:
            return DASH
        return format_html('<pre class="sb-pre-wrap">{}</pre>', text)


# A year as its list and its page show it; the page adds the note it was marked complete with.
YEAR_FIELDS = ("year", "status", "holidays", "working_days", "completed_at_local", "completed_by")


class CalendarYearAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Years of entered official days: status, counts, audit; mark complete or reopen (§7)."""

    list_display = (*YEAR_FIELDS, "next_step")
    list_display_links = ("year",)
    fields = (*YEAR_FIELDS, "note", "next_step")
    readonly_fields = fields
    inlines = [CalendarYearEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return selectors.calendar_years_with_counts()

    @admin.display(description=_("status"))
    def status(self, calendar_year: CalendarYear) -> str:
        return year_status(calendar_year)

    # The two counts are annotations of ``selectors.calendar_years_with_counts``.
    holidays = column(_("official holidays"), "holidays")
    working_days = column(_("make-up working days"), "working_days")
    completed_at_local = column(_("marked complete at"), "completed_at", local_time)

    @admin.display(description=_("next step"))
    def next_step(self, calendar_year: CalendarYear) -> str:
        year = calendar_year.year
        days = format_html('<a href="{}">{}</a>', days_list_url(year), gettext("Entered days"))
        if calendar.library_covers(year):
            return days
        if calendar_year.is_complete:
            return format_html(
                '{} · <a href="{}">{}</a>', days, year_url(year, "reopen"), gettext("Reopen")
            )
        return format_html(
            '{} · <a href="{}">{}</a>', days, year_url(year, "complete"), gettext("Mark complete")
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            admin_view_path(self, "<int:year>/complete/", self.complete_view, "complete"),
            admin_view_path(self, "<int:year>/reopen/", self.reopen_view, "reopen"),
            *super().get_urls(),
        ]

    def complete_view(self, request: HttpRequest, year: int) -> HttpResponse:
        """Confirm that every official day of ``year`` is entered (``complete_calendar_year``)."""
        return self._year_step(request, year, complete=True)

    def reopen_view(self, request: HttpRequest, year: int) -> HttpResponse:
        """Take back a year's completion, with a reason (``reopen_calendar_year``)."""
        return self._year_step(request, year, complete=False)

    def _year_step(self, request: HttpRequest, year: int, *, complete: bool) -> HttpResponse:
        if not may_maintain_calendar(request.user):
            raise PermissionDenied
        form_class = CompleteYearForm if complete else ReopenYearForm
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                if complete:
                    change = services.complete_calendar_year(
                        year=year,
                        note=form.cleaned_data["note"],
                        actor=request.user,
                        now=timezone.now(),
                    )
                else:
                    change = services.reopen_calendar_year(
                        year=year,
                        reason=form.cleaned_data["reason"],
                        actor=request.user,
                        now=timezone.now(),
                    )
            except services.SettlementError as error:
                form.add_error(None, error_text(error))
            else:
                message_year_change(request, year, change, complete=complete)
                return HttpResponseRedirect(days_list_url(year))
        return self._year_page(request, year, form, complete=complete)

    def _year_page(
        self, request: HttpRequest, year: int, form: forms.Form, *, complete: bool
    ) -> TemplateResponse:
        counts = selectors.calendar_day_counts(year)
        days = CalendarDay.objects.filter(date__year=year).order_by("date")
        if complete:
            title = gettext("Mark %(year)d complete") % {"year": year}
            submit = gettext("Yes, every official day of %(year)d is entered") % {"year": year}
        else:
            title = gettext("Reopen %(year)d") % {"year": year}
            submit = gettext("Reopen %(year)d") % {"year": year}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "year": str(year),  # a label, never number-formatted
            "complete": complete,
            "counts": _counts(*counts),
            "has_holidays": counts.holidays > 0,
            "library_covers": calendar.library_covers(year),
            "days": [(d, date_format(d.date, "l"), kind_label(d.is_working_day)) for d in days],
            "form": form,
            "submit_label": submit,
            "days_url": days_list_url(year),
            "bulk_url": reverse("admin:settlements_calendarday_bulk") + f"?year={year}",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, YEAR_CONFIRM_TEMPLATE, context)


def message_year_change(
    request: HttpRequest, year: int, change: services.YearChange, *, complete: bool
) -> None:
    """Tell the operator what marking or reopening ``year`` did."""
    if not change.changed:
        text = (
            gettext("%(year)d was already marked complete; nothing changed.")
            if complete
            else gettext("%(year)d was not marked complete; nothing changed.")
        )
        messages.warning(request, text % {"year": year})
        return
    text = (
        gettext("%(year)d is marked complete: its due dates are final.")
        if complete
        else gettext("%(year)d is reopened: its due dates are provisional again.")
    )
    messages.success(request, text % {"year": year})
    message_recomputed(request, change.recomputed)


def message_recomputed(request: HttpRequest, changed: int) -> None:
    """Tell the operator how many open due dates a calendar change moved."""
    if changed:
        message = ngettext(
            "%(count)d due date was recomputed.",
            "%(count)d due dates were recomputed.",
            changed,
        ) % {"count": changed}
    else:
        message = gettext("No due date changed.")
    messages.info(request, message)
