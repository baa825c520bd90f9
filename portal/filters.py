"""The filters of the client lists: orders by boost stage, search and date; the statement by kind
and date.

Dates are calendar days in Asia/Shanghai (DESIGN §3), both ends included: a filter "from 12-01 to
12-02" keeps everything placed from 12-01 00:00 to 12-02 23:59:59 Beijing time. A form that does
not validate filters nothing, and shows its errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import LedgerKind

SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class Period:
    """A half-open range of instants ``[since, before)``; either end may be open (None)."""

    since: datetime | None = None
    before: datetime | None = None


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the current time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always ISO (``2026-12-02``) in every language."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PeriodFilterForm(forms.Form):
    """Two optional calendar days, the first not after the second."""

    start = forms.DateField(label=_("First day"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Last day"), required=False, widget=DateInput())

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day is after the last day."))
        return data

    def period(self) -> Period:
        """The chosen days as instants; the whole history when the form does not validate."""
        if not self.is_valid():
            return Period()
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        return Period(
            since=day_start(start) if start else None,
            before=day_start(end + timedelta(days=1)) if end else None,
        )

    def query(self, *, without: str = "") -> str:
        """The valid filters as a query string, for the page links (``page=`` is added to it).

        ``without`` names a filter to leave out: the stage tabs set their own stage.
        """
        if not self.is_valid():
            return ""
        pairs = {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in self.cleaned_data.items()
            if value and name != without
        }
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list (an empty list then says "no match")."""
        return self.is_valid() and any(self.cleaned_data.values())


class OrderFilterForm(PeriodFilterForm):
    """The orders list: a boost stage, a search on order code or influencer, the days placed."""

    boosts = forms.ChoiceField(
        label=_("Boosts"),
        required=False,
        choices=[
            ("", _("All orders")),
            ("awaiting_publish", _("Awaiting publish")),
            ("active", _("In progress")),
            ("settled", _("Settled")),
            ("none", _("Without boost")),
        ],
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Order code or influencer")}
        ),
    )

    field_order = ["q", "start", "end", "boosts"]

    def group(self) -> str:
        return self.cleaned_data["boosts"] if self.is_valid() else ""

    def search(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""


class StatementFilterForm(PeriodFilterForm):
    """The statement: one kind of entry, or all, over the chosen days."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *LedgerKind.choices],
    )

    field_order = ["kind", "start", "end"]

    def kind_value(self) -> str:
        return self.cleaned_data["kind"] if self.is_valid() else ""
