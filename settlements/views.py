"""The operator insights and pricing backtest pages, inside the admin (DESIGN §4, §6, §7).

Thin views: the numbers come from ``settlements.insights`` and ``settlements.backtest``; this module
only checks access, reads the form, lays the figures out as tables and server-side SVG charts, and
exports any table as CSV (``?format=csv&table=<name>``).

Access: active staff in the Operations or Finance group, and superusers. Anonymous users are sent
to the admin login; any other user gets 403.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from . import backtest, insights
from .insights import GRANULARITIES, MONTH, WEEK, Period

OPERATOR_GROUPS = ("Operations", "Finance")
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
DASH = "—"


# --- Access --------------------------------------------------------------------------------------


def can_see_insights(user) -> bool:
    """Superusers, and active staff in the Operations or Finance group."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.is_staff and user.groups.filter(name__in=OPERATOR_GROUPS).exists()


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not can_see_insights(request.user):
            raise PermissionDenied
        request.current_app = admin.site.name
        return view(request, *args, **kwargs)

    return never_cache(checked)


# --- Forms ---------------------------------------------------------------------------------------


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
    group = forms.ChoiceField(label=gettext_lazy("Group by"), choices=GRANULARITIES.items())

    @staticmethod
    def defaults(today: date) -> dict[str, str]:
        return {**PeriodForm.defaults(today), "group": WEEK}


class BacktestForm(PeriodForm):
    """The period, and the pricing rules to test (DESIGN §4); blank means the current value."""

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
    min_ratio = forms.DecimalField(
        label=gettext_lazy("Min. premium ratio"),
        min_value=Decimal("0.01"),
        max_value=1,
        decimal_places=2,
        max_digits=3,
    )
    max_ratio = forms.DecimalField(
        label=gettext_lazy("Max. premium ratio"),
        min_value=Decimal("0.01"),
        max_value=1,
        decimal_places=2,
        max_digits=3,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            try:
                self.rules = backtest.candidate_rules(self.overrides(cleaned))
            except ValueError as error:
                raise forms.ValidationError(str(error)) from None
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
        rules = backtest.candidate_rules()
        return {
            **PeriodForm.defaults(today),
            "history_days": str(rules.history_days),
            "half_life": str(rules.half_life_days),
            "target": str(rules.target_loss_ratio),
            "min_ratio": str(rules.min_ratio),
            "max_ratio": str(rules.max_ratio),
        }


def bound_form(form_class: type[PeriodForm], request: HttpRequest, today: date) -> PeriodForm:
    """The form with the request's values over the defaults, so a bare URL shows a result."""
    data = form_class.defaults(today)
    data.update({key: value for key, value in request.GET.items() if value != ""})
    return form_class(data)


# --- Tables (HTML and CSV from one definition) ---------------------------------------------------

INT, MONEY, RATIO, TEXT, BOOL = "int", "money", "ratio", "text", "bool"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT
    html: bool = True  # shown on the page
    csv: bool = True  # in the CSV
    href: str = ""  # attribute holding a link for the page


@dataclass
class Table:
    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Any]
    footer: Sequence[Any] = ()
    flagged: Callable[[Any], bool] = lambda row: False
    note: str = ""
    csv_url: str = ""

    @property
    def headers(self) -> list[Column]:
        return [c for c in self.columns if c.html]

    def html_rows(self) -> list[dict[str, Any]]:
        return [self._html_row(row) for row in self.rows]

    def html_footer(self) -> list[dict[str, Any]]:
        return [self._html_row(row) for row in self.footer]

    def _html_row(self, row: Any) -> dict[str, Any]:
        cells = []
        for column in self.headers:
            value = _value(row, column.key)
            cells.append(
                {
                    "text": format_html_value(value, column.kind),
                    "href": _value(row, column.href) if column.href else "",
                    "numeric": column.kind in (INT, MONEY, RATIO),
                }
            )
        return {"cells": cells, "flagged": self.flagged(row)}

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        columns = [c for c in self.columns if c.csv]
        writer.writerow([str(c.label) for c in columns])
        for row in [*self.rows, *self.footer]:
            writer.writerow([format_csv_value(_value(row, c.key), c.kind) for c in columns])
        return out.getvalue()


def _value(row: Any, key: str) -> Any:
    return row[key] if isinstance(row, dict) else getattr(row, key)


def yuan(amount: Decimal) -> str:
    """``¥1,234.50``; a negative amount as ``−¥1,234.50``."""
    sign = "−" if amount < 0 else ""
    return f"{sign}¥{abs(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def percent(value: Decimal) -> str:
    """A 4-place ratio as a percent with 2 places: exact, no second rounding."""
    return f"{value * 100:.2f} %"


def format_html_value(value: Any, kind: str) -> str:
    if value is None:
        return DASH
    if kind == MONEY:
        return yuan(value)
    if kind == RATIO:
        return percent(value)
    if kind == INT:
        return f"{value:,}"
    if kind == BOOL:
        return _("yes") if value else ""
    return str(value)


def format_csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == TEXT and str(value)[:1] in ("=", "+", "-", "@"):
        # A name a spreadsheet would run as a formula (CSV injection) stays plain text.
        return f"'{value}"
    if kind == MONEY:
        return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if kind == BOOL:
        return "true" if value else "false"
    return str(value)


def csv_response(table: Table, filename: str) -> HttpResponse:
    # A byte-order mark, so spreadsheet programs read the Chinese names as UTF-8.
    response = HttpResponse("\ufeff" + table.csv_text(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def figure_columns(first: Column, *, target: Decimal) -> list[Column]:
    """The columns of a ``Figures`` table.

    On the page the target T sits in the loss ratio's heading and rows above it are flagged red;
    the CSV has both as columns.
    """
    return [
        first,
        Column("boosts_sold", _("Boosts sold"), INT),
        Column("fees_collected", _("Fees collected"), MONEY),
        Column("settled", _("Windows settled"), INT),
        Column("succeeded", _("Succeeded"), INT, html=False),
        Column("compensated", _("Compensated"), INT, html=False),
        Column("success_rate", _("Success rate"), RATIO),
        Column("average_shortfall_share", _("Avg. shortfall (E−A)/E"), RATIO),
        Column("settled_fees", _("Fees of settled windows"), MONEY),
        Column("compensation", _("Compensation"), MONEY),
        Column("loss_ratio", _("Realized loss ratio"), RATIO, html=False),
        Column(
            "loss_ratio",
            _("Realized loss ratio (T = %(t)s)") % {"t": percent(target)},
            RATIO,
            csv=False,
        ),
        Column("target", _("Target T"), RATIO, html=False),
        Column("above_target", _("Above T"), BOOL, html=False),
        Column("refunds", _("Refunds (count)"), INT, html=False),
        Column("refunded", _("Refunds"), MONEY),
        Column("capped", _("Cap bound"), INT),
        Column("cap_rate", _("Cap bound (share of compensated)"), RATIO, html=False),
        Column("cap_saved", _("Saved by the cap"), MONEY),
        Column("compensation_paid", _("Compensation paid"), MONEY, html=False),
        Column("refunds_paid", _("Refunds paid"), MONEY, html=False),
        Column("paid_out", _("Paid out"), MONEY),
    ]


def insights_tables(data: insights.Insights) -> dict[str, Table]:
    above = lambda row: row.above_target  # noqa: E731
    period_header = _("Week (from Monday)") if data.granularity == WEEK else _("Month")
    return {
        "periods": Table(
            "periods",
            _("By %(granularity)s") % {"granularity": GRANULARITIES[data.granularity].lower()},
            figure_columns(Column("label", period_header), target=data.target),
            data.periods,
            footer=[data.totals],
            flagged=above,
        ),
        "bands": Table(
            "bands",
            _("By premium-ratio band"),
            figure_columns(Column("label", _("Premium ratio")), target=data.target),
            data.bands,
            footer=[data.totals],
            flagged=above,
            note=_("Bands whose realized loss ratio is above the target T are flagged."),
        ),
        "influencers": Table(
            "influencers",
            _("Top 10 influencers by compensation"),
            figure_columns(Column("label", _("Influencer")), target=data.target),
            data.influencers,
            flagged=above,
            note=_("Ranked by compensation owed on the windows settled in the period."),
        ),
        "queues": Table(
            "queues",
            _("Work queues"),
            [
                Column("label", _("Queue"), href="url"),
                Column("count", _("Count"), INT),
                Column("help", _("What it means")),
                Column("url", _("Link"), html=False),
            ],
            data.queues,
            flagged=lambda queue: queue.urgent,
        ),
    }


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    detail: str = ""
    flagged: bool = False


def _ratio_text(value: Decimal | None) -> str:
    return DASH if value is None else percent(value)


def summary_cards(data: insights.Insights) -> list[Card]:
    """The period's totals at a glance."""
    t = data.totals
    return [
        Card(
            "boosts_sold",
            _("Boosts sold"),
            f"{t.boosts_sold:,}",
            _("fees collected %(fees)s") % {"fees": yuan(t.fees_collected)},
        ),
        Card(
            "loss_ratio",
            _("Realized loss ratio"),
            _ratio_text(t.loss_ratio),
            _("%(comp)s compensation ÷ %(fees)s fees; target T = %(t)s")
            % {
                "comp": yuan(t.compensation),
                "fees": yuan(t.settled_fees),
                "t": percent(data.target),
            },
            flagged=t.above_target,
        ),
        Card(
            "success_rate",
            _("Success rate"),
            _ratio_text(t.success_rate),
            _("%(ok)s of %(n)s windows settled reached E") % {"ok": t.succeeded, "n": t.settled},
        ),
        Card(
            "shortfall",
            _("Average shortfall"),
            _ratio_text(t.average_shortfall_share),
            _("(E − A)/E over %(n)s compensated") % {"n": t.compensated},
        ),
        Card(
            "cap",
            _("Cap bound"),
            _("%(capped)s of %(n)s") % {"capped": t.capped, "n": t.compensated},
            _("%(share)s of compensations; saved %(saved)s")
            % {"share": _ratio_text(t.cap_rate), "saved": yuan(t.cap_saved)},
        ),
        Card(
            "refunds",
            _("Refunds"),
            yuan(t.refunded),
            _("%(n)s expired or cancelled boosts") % {"n": t.refunds},
        ),
        Card(
            "paid_out",
            _("Paid out"),
            yuan(t.paid_out),
            _("compensation %(comp)s, refunds %(ref)s")
            % {"comp": yuan(t.compensation_paid), "ref": yuan(t.refunds_paid)},
        ),
    ]


# --- Charts: inline SVG computed here, drawn by a template ---------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | None]


@dataclass
class Chart:
    title: str
    width: int = 720
    height: int = 230
    bars: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    legend: list[dict[str, Any]] = field(default_factory=list)
    reference: dict[str, Any] | None = None
    plot: dict[str, float] = field(default_factory=dict)


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    kind: str,
    reference: Decimal | None = None,
    reference_label: str = "",
) -> Chart:
    """Grouped bars per category, with an optional reference line (the target T).

    Category labels are thinned out so they never overlap; with few bars each gets its value.
    """
    chart = Chart(title=title)
    left, right, top, bottom = 76, 70, 28, 36
    width, height = chart.width - left - right, chart.height - top - bottom
    chart.plot = {
        "x": left,
        "y": top,
        "width": width,
        "height": height,
        "bottom": top + height,
        "right": left + width,
    }
    values = [float(v) for s in series for v in s.values if v is not None]
    highest = _nice_ceiling(max([*values, float(reference or 0)], default=0))
    label_of = percent if kind == RATIO else yuan

    def y_of(value: float) -> float:
        return top + height - value / highest * height

    for i in range(5):
        tick = Decimal(str(highest * i / 4))
        text = percent(tick) if kind == RATIO else f"¥{tick:,.0f}"
        chart.ticks.append({"y": round(y_of(float(tick)), 1), "label": text})
    n = max(len(categories), 1)
    group = width / n
    bar = group * 0.8 / max(len(series), 1)
    widest = max((len(c) for c in categories), default=1) * 6 + 8  # about 6 px a character
    every = math.ceil(widest / group)
    show_values = len(categories) * len(series) <= 16
    # One series: bars above the reference turn red. Several: colours keep telling them apart.
    flag = reference is not None and len(series) == 1
    for i, category in enumerate(categories):
        if i % every == 0:
            chart.labels.append({"x": round(left + (i + 0.5) * group, 1), "text": category})
        for j, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            y = y_of(float(value))
            x = left + i * group + group * 0.1 + j * bar
            chart.bars.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "width": round(max(bar - 1, 1), 1),
                    "height": round(top + height - y, 1),
                    "style": "flag" if flag and value > reference else f"s{j}",
                    "title": f"{category} · {s.name}: {label_of(value)}",
                    "value": label_of(value) if show_values else "",
                    "center": round(x + bar / 2, 1),
                }
            )
    if reference is not None:
        chart.reference = {"y": round(y_of(float(reference)), 1), "label": reference_label}
    chart.legend = [
        {"name": s.name, "style": f"s{j}", "x": left + j * 190} for j, s in enumerate(series)
    ]
    return chart


def insights_charts(data: insights.Insights) -> list[Chart]:
    # Short category labels: "03-09" for the week from Monday 9 March, "2026-03" for a month.
    labels = [row.label[5:] if data.granularity == WEEK else row.label for row in data.periods]
    target = data.target
    target_label = _("T = %(t)s") % {"t": percent(target)}
    per = GRANULARITIES[data.granularity].lower()
    return [
        bar_chart(
            title=_("Fees collected, compensation and refunds by %(per)s") % {"per": per},
            categories=labels,
            series=[
                Series(_("Fees collected"), [r.fees_collected for r in data.periods]),
                Series(_("Compensation"), [r.compensation for r in data.periods]),
                Series(_("Refunds"), [r.refunded for r in data.periods]),
            ],
            kind=MONEY,
        ),
        bar_chart(
            title=_("Realized loss ratio by %(per)s") % {"per": per},
            categories=labels,
            series=[Series(_("Realized loss ratio"), [r.loss_ratio for r in data.periods])],
            kind=RATIO,
            reference=target,
            reference_label=target_label,
        ),
        bar_chart(
            title=_("Realized loss ratio by premium-ratio band"),
            categories=[row.label for row in data.bands],
            series=[Series(_("Realized loss ratio"), [r.loss_ratio for r in data.bands])],
            kind=RATIO,
            reference=target,
            reference_label=target_label,
        ),
    ]


# --- Views ---------------------------------------------------------------------------------------


def _csv_url(request: HttpRequest, table: str) -> str:
    query = request.GET.copy()
    query["format"], query["table"] = "csv", table
    return f"?{query.urlencode()}"


def csv_export(
    request: HttpRequest, form: PeriodForm, tables: dict[str, Table] | None, page: str
) -> HttpResponse:
    """``?format=csv&table=<name>``: one table of the page as CSV, or 400 saying what is wrong."""
    if tables is None:
        return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain")
    name = request.GET.get("table", "")
    if name not in tables:
        return HttpResponseBadRequest(
            _("Unknown table %(name)s; choose one of: %(names)s")
            % {"name": name, "names": ", ".join(tables)},
            content_type="text/plain",
        )
    period = form.period
    return csv_response(tables[name], f"{page}-{name}-{period.start}-{period.end}.csv")


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> TemplateResponse:
    return TemplateResponse(request, template, {**admin.site.each_context(request), **context})


@operator_required
def insights_view(request: HttpRequest) -> HttpResponse:
    """The operator dashboard: money, loss ratios, the cap and the work queues of a period."""
    today = timezone.localdate()
    form = bound_form(InsightsForm, request, today)
    data = tables = None
    if form.is_valid():
        data = insights.insights(
            period=form.period, granularity=form.cleaned_data["group"], today=today
        )
        tables = insights_tables(data)
        for name, table in tables.items():
            table.csv_url = _csv_url(request, name)
    if request.GET.get("format") == "csv":
        return csv_export(request, form, tables, "insights")
    return _render(
        request,
        "admin/insights/index.html",
        {
            "title": _("Insights"),
            # The tables are wide: give them the sidebar's room.
            "is_nav_sidebar_enabled": False,
            "form": form,
            "data": data,
            "tables": tables,
            "cards": summary_cards(data) if data else [],
            "charts": insights_charts(data) if data else [],
            "queues": data.queues if data else insights.work_queues(today=today),
            "queues_today": today,
            "queues_csv_url": tables["queues"].csv_url if tables else "",
            "backtest_url": reverse("insights:backtest"),
            "granularities": [WEEK, MONTH],
        },
    )


def backtest_tables(result: backtest.Backtest) -> dict[str, Table]:
    above = lambda row: row.above_target  # noqa: E731
    return {
        "bands": Table(
            "bands",
            _("By re-priced premium-ratio band"),
            [
                Column("label", _("Premium ratio (re-priced)")),
                Column("boosts", _("Boosts"), INT),
                Column("reproduced", _("Frozen quote reproduced"), INT),
                Column("actual_fees", _("Actual fees"), MONEY),
                Column("candidate_fees", _("Fees under these rules"), MONEY),
                Column("fee_change", _("Fee change"), MONEY),
                Column("predicted_loss_ratio", _("Predicted loss ratio"), RATIO),
                Column("realized_loss_ratio", _("Realized loss ratio"), RATIO),
                Column("actual_compensation", _("Actual compensation"), MONEY, html=False),
                Column(
                    "counterfactual_compensation",
                    _("Compensation under these rules"),
                    MONEY,
                    html=False,
                ),
                Column("counterfactual_loss_ratio", _("Loss ratio under these rules"), RATIO),
                Column("target", _("Target T"), RATIO, html=False),
                Column("above_target", _("Above T"), BOOL, html=False),
            ],
            result.bands,
            footer=[result.totals],
            flagged=above,
            note=_("Rows whose loss ratio under these rules is above T = %(t)s are flagged.")
            % {"t": percent(result.rules.target_loss_ratio)},
        ),
        "boosts": Table(
            "boosts",
            _("Boosts"),
            [
                Column("boost_id", _("Boost"), INT),
                Column("influencer_name", _("Influencer")),
                Column("quoted_at", _("Quoted at")),
                Column("fixed_price", _("Fixed price"), MONEY),
                Column("history_videos", _("History videos"), INT),
                Column("expected_views", _("Expected views"), INT),
                Column("premium_ratio", _("Premium ratio")),
                Column("boost_fee", _("Boost fee"), MONEY),
                Column("loss_ratio", _("Loss ratio at sale")),
                Column("candidate_expected_views", _("Expected views (re-priced)"), INT),
                Column("candidate_premium_ratio", _("Premium ratio (re-priced)")),
                Column("candidate_fee", _("Boost fee (re-priced)"), MONEY),
                Column("candidate_loss_ratio", _("Loss ratio (re-priced)")),
                Column("candidate_reason", _("Not offered because")),
                Column("actual_views", _("Actual views"), INT),
                Column("compensation", _("Compensation"), MONEY),
                Column("counterfactual_compensation", _("Compensation (re-priced)"), MONEY),
            ],
            [_boost_row(row) for row in result.rows],
        ),
    }


def _boost_row(row: backtest.Repriced) -> dict[str, Any]:
    quote = row.quote
    return {
        "boost_id": row.boost_id,
        "influencer_name": row.influencer_name,
        "quoted_at": timezone.localtime(row.quoted_at).isoformat(),
        "fixed_price": row.fixed_price,
        "history_videos": row.history_videos,
        "expected_views": row.expected_views,
        "premium_ratio": row.premium_ratio,
        "boost_fee": row.boost_fee,
        "loss_ratio": row.loss_ratio,
        "candidate_expected_views": quote.expected_views,
        "candidate_premium_ratio": quote.premium_ratio,
        "candidate_fee": quote.boost_fee,
        "candidate_loss_ratio": quote.loss_ratio,
        "candidate_reason": quote.reason.value if quote.reason else "",
        "actual_views": row.actual_views,
        "compensation": row.compensation,
        "counterfactual_compensation": row.counterfactual_compensation,
    }


def backtest_chart(result: backtest.Backtest) -> Chart:
    rows = result.bands
    target = result.rules.target_loss_ratio
    return bar_chart(
        title=_("Loss ratios by re-priced band"),
        categories=[row.label for row in rows],
        series=[
            Series(_("Predicted"), [r.predicted_loss_ratio for r in rows]),
            Series(_("Realized"), [r.realized_loss_ratio for r in rows]),
            Series(_("Under these rules"), [r.counterfactual_loss_ratio for r in rows]),
        ],
        kind=RATIO,
        reference=target,
        reference_label=_("T = %(t)s") % {"t": percent(target)},
    )


@operator_required
def backtest_view(request: HttpRequest) -> HttpResponse:
    """Re-price the boosts settled in a period under the current or candidate rules."""
    today = timezone.localdate()
    form = bound_form(BacktestForm, request, today)
    result = tables = None
    if form.is_valid():
        result = backtest.run_backtest(period=form.period, rules=form.rules)
        tables = backtest_tables(result)
        for name, table in tables.items():
            table.csv_url = _csv_url(request, name)
    if request.GET.get("format") == "csv":
        return csv_export(request, form, tables, "backtest")
    return _render(
        request,
        "admin/insights/backtest.html",
        {
            "title": _("Pricing backtest"),
            "is_nav_sidebar_enabled": False,
            "form": form,
            "result": result,
            "tables": tables,
            "chart": backtest_chart(result) if result else None,
            "current_rules": backtest.candidate_rules(),
            "insights_url": reverse("insights:index"),
        },
    )
