"""The operator insights and pricing backtest pages, inside the admin (DESIGN §4, §6, §7).

Thin views: check access, read the form, ask ``queries`` or ``backtest`` for the figures, lay them
out with ``pages`` and render them, or export one table as CSV (``?format=csv&table=<name>``).

Access: active staff in the Operations or Finance group, and superusers. Anonymous users are sent
to the admin login; any other user gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from orders import selectors

from . import backtest, book, calibration_report, pages, queries
from .forms import BacktestForm, CalibrationForm, InsightsForm, PeriodForm, bound_form
from .periods import MONTH, WEEK
from .tables import Table, table_csv_response

OPERATOR_GROUPS = ("Operations", "Finance")


def can_see_insights(user: Any) -> bool:
    """Superusers, and active staff in the Operations or Finance group."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.is_staff and user.groups.filter(name__in=OPERATOR_GROUPS).exists()


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anonymous users to the admin login, refuse non-operators, never cache the page."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not can_see_insights(request.user):
            raise PermissionDenied
        request.current_app = admin.site.name
        return view(request, *args, **kwargs)

    return never_cache(checked)


def _with_csv_urls(request: HttpRequest, tables: dict[str, Table]) -> dict[str, Table]:
    for name, table in tables.items():
        query = request.GET.copy()
        query["format"], query["table"] = "csv", name
        table.csv_url = f"?{query.urlencode()}"
    return tables


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
    return table_csv_response(tables[name], f"{page}-{name}-{period.start}-{period.end}.csv")


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> TemplateResponse:
    return TemplateResponse(request, template, {**admin.site.each_context(request), **context})


@operator_required
def insights_view(request: HttpRequest) -> HttpResponse:
    """The operator dashboard: money, loss ratios, the cap and the work queues of a period."""
    today = timezone.localdate()
    form = bound_form(InsightsForm, request, today)
    data = tables = None
    if form.is_valid():
        data = queries.insights_page(
            period=form.period, granularity=form.cleaned_data["group"], today=today
        )
        tables = _with_csv_urls(request, pages.insights_tables(data))
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
            "cards": pages.summary_cards(data) if data else [],
            "charts": pages.insights_charts(data) if data else [],
            "queues": data.queues if data else queries.work_queues(today=today),
            "queues_today": today,
            "queues_csv_url": tables["queues"].csv_url if tables else "",
            "backtest_url": reverse("insights:backtest"),
            "calibration_url": reverse("insights:calibration"),
            "book_url": reverse("insights:book"),
            "granularities": [WEEK, MONTH],
        },
    )


@operator_required
def backtest_view(request: HttpRequest) -> HttpResponse:
    """Re-price the boosts settled in a period under the current or candidate rules."""
    today = timezone.localdate()
    form = bound_form(BacktestForm, request, today)
    result = tables = None
    if form.is_valid():
        result = backtest.run_backtest(period=form.period, rules=form.rules)
        tables = _with_csv_urls(request, pages.backtest_tables(result))
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
            "chart": pages.backtest_chart(result) if result else None,
            "current_rules": backtest.candidate_rules(),
            "insights_url": reverse("insights:index"),
        },
    )


@operator_required
def calibration_view(request: HttpRequest) -> HttpResponse:
    """Each pricing model's predictions against real (or simulated) outcomes, with its light."""
    today = timezone.localdate()
    form = bound_form(CalibrationForm, request, today)
    data = tables = None
    if form.is_valid():
        data = calibration_report.calibration_data(
            period=form.period,
            source=form.cleaned_data["source"] or None,
            rules=backtest.candidate_rules(),
        )
        tables = _with_csv_urls(request, pages.calibration_tables(data))
    if request.GET.get("format") == "csv":
        return csv_export(request, form, tables, "calibration")
    return _render(
        request,
        "admin/insights/calibration.html",
        {
            "title": _("Pricing model calibration"),
            "is_nav_sidebar_enabled": False,
            "form": form,
            "data": data,
            "tables": tables,
            "cards": pages.calibration_light_cards(data) if data else [],
            "charts": pages.calibration_charts(data) if data else [],
            "live_model": selectors.live_model(),
            "min_real": calibration_report.MIN_REAL_BOOSTS,
            "simulated_boosts": calibration_report.SIMULATED_BOOSTS,
            "simulated_seed": calibration_report.SIMULATED_SEED,
            "insights_url": reverse("insights:index"),
            "backtest_url": reverse("insights:backtest"),
        },
    )


@operator_required
def book_view(request: HttpRequest) -> HttpResponse:
    """The guarantee as a book: exposure, expected payout, unearned fees, loss ratio, daily."""
    today = timezone.localdate()
    form = bound_form(PeriodForm, request, today)
    days = tables = None
    target = backtest.candidate_rules().target_loss_ratio
    if form.is_valid():
        days = book.book(period=form.period, now=timezone.now())
        tables = _with_csv_urls(request, {"book": pages.book_table(days, target)})
    if request.GET.get("format") == "csv":
        return csv_export(request, form, tables, "book")
    return _render(
        request,
        "admin/insights/book.html",
        {
            "title": _("The book"),
            "is_nav_sidebar_enabled": False,
            "form": form,
            "days": days,
            "tables": tables,
            "cards": pages.book_cards(days) if days else [],
            "charts": pages.book_charts(days, target) if days else [],
            "insights_url": reverse("insights:index"),
        },
    )
