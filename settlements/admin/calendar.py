"""The official calendar in the admin: operators enter days, every change recomputes due dates."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import CalendarDay


class CalendarDayAdmin(admin.ModelAdmin):
    """Operators enter official days; every save recomputes provisional due dates (DESIGN §7)."""

    list_display = ("date", "day_type", "note", "source", "created_by", "created_at")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
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

    @admin.display(description=_("day"), ordering="is_working_day")
    def day_type(self, day: CalendarDay) -> str:
        return gettext("Make-up working day") if day.is_working_day else gettext("Holiday")

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
        self.message_due_dates(request, changed)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        self.delete_queryset(request, [obj])

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[CalendarDay] | list[CalendarDay]
    ) -> None:
        changed = services.remove_calendar_days(
            days=list(queryset), actor=request.user, now=timezone.now()
        )
        self.message_due_dates(request, changed)

    def message_due_dates(self, request: HttpRequest, changed: int) -> None:
        """Tell the operator how many open due dates the change moved."""
        if changed:
            message = ngettext(
                "%(count)d due date was recomputed.",
                "%(count)d due dates were recomputed.",
                changed,
            ) % {"count": changed}
        else:
            message = gettext("No due date changed.")
        self.message_user(request, message, messages.INFO)
