"""The filter forms of the staff pages: a period, the grouping, and the rules a backtest tries.

The values come from the query string (``?from=…&to=…``) over defaults, so a bare URL shows a
result and every result has a shareable URL.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .backtest import candidate_rules
from .periods import GRANULARITIES, WEEK, Period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366


class PeriodForm(forms.Form):
    """From/to dates (Asia/Shanghai, both included); the URL parameters are ``from`` and ``to``."""

    PARAMETERS = {"date_from": "from", "date_to": "to"}

    date_from = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def add_prefix(self, field_name: str) -> str:
        return self.PARAMETERS.get(field_name, super().add_prefix(field_name))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The period must start on or before its end."))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(
                    _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS}
                )
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["date_from"], self.cleaned_data["date_to"])

    @staticmethod
    def defaults(today: date) -> dict[str, str]:
        period = Period.last_days(today, DEFAULT_DAYS)
        return {"from": period.start.isoformat(), "to": period.end.isoformat()}


class InsightsForm(PeriodForm):
    """The period and whether to group it by week or month."""

    group = forms.ChoiceField(label=gettext_lazy("Group by"), choices=GRANULARITIES.items())

    @property
    def granularity(self) -> str:
        return self.cleaned_data["group"]

    @staticmethod
    def defaults(today: date) -> dict[str, str]:
        return {**PeriodForm.defaults(today), "group": WEEK}


def premium_ratio_field(label: StrOrPromise) -> forms.DecimalField:
    """A bound of the premium-ratio band: 0.01 to 1, in hundredths."""
    return forms.DecimalField(
        label=label, min_value=Decimal("0.01"), max_value=1, decimal_places=2, max_digits=3
    )


class BacktestForm(PeriodForm):
    """The period, and the pricing rules to test; blank means the current value."""

    history_days = forms.IntegerField(
        label=gettext_lazy("History days"), min_value=1, max_value=3650
    )
    half_life = forms.IntegerField(label=gettext_lazy("Half-life (days)"), min_value=1)
    target = forms.DecimalField(
        label=gettext_lazy("Target loss ratio T"),
        min_value=0,
        max_value=1,
        decimal_places=4,
        max_digits=5,
    )
    min_ratio = premium_ratio_field(gettext_lazy("Min. premium ratio"))
    max_ratio = premium_ratio_field(gettext_lazy("Max. premium ratio"))

    def clean_max_ratio(self) -> Decimal | None:
        """A band upside down is the operator's typo: say so beside the field, with the rest."""
        low, high = self.cleaned_data.get("min_ratio"), self.cleaned_data.get("max_ratio")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(
                _("The max. premium ratio must be at least the min. premium ratio.")
            )
        return high

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            try:
                self.rules = candidate_rules(self.overrides(cleaned))
            except ValueError:
                raise forms.ValidationError(_("These pricing rules do not fit together.")) from None
        return cleaned

    @staticmethod
    def overrides(cleaned: dict[str, Any]) -> dict[str, Any]:
        return {
            "history_days": cleaned.get("history_days"),
            "half_life_days": cleaned.get("half_life"),
            "target_loss_ratio": cleaned.get("target"),
            "min_ratio": cleaned.get("min_ratio"),
            "max_ratio": cleaned.get("max_ratio"),
        }

    @staticmethod
    def defaults(today: date) -> dict[str, str]:
        rules = candidate_rules()
        return {
            **PeriodForm.defaults(today),
            "history_days": str(rules.history_days),
            "half_life": str(rules.half_life_days),
            "target": str(rules.target_loss_ratio),
            "min_ratio": str(rules.min_ratio),
            "max_ratio": str(rules.max_ratio),
        }


class CalibrationForm(PeriodForm):
    """The period of the settled boosts, and the data: real outcomes, simulated, or automatic."""

    source = forms.ChoiceField(
        label=gettext_lazy("Data"),
        required=False,
        choices=[
            ("", gettext_lazy("Automatic")),
            ("real", gettext_lazy("Real settled boosts")),
            ("simulated", gettext_lazy("Simulated market")),
        ],
    )


def bound_form(form_class: type[PeriodForm], request: HttpRequest, today: date) -> PeriodForm:
    """The form with the request's values over the defaults, so a bare URL shows a result."""
    data = form_class.defaults(today)
    data.update({key: value for key, value in request.GET.items() if value != ""})
    return form_class(data)
