"""The operator insights and pricing backtest pages, inside the admin (DESIGN §4, §6, §7).

Thin views on one ``InsightsPage``: check access, read the form, ask ``queries`` or ``backtest``
for the figures, lay them out with ``pages`` and render them, or export one table as CSV
(``?format=csv&table=<name>``).

Access: active staff in the Operations or Finance group, and superusers. Anonymous users are sent
to the admin login; any other user gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
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
from django.utils.translation import gettext_lazy
from django.views import View
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


class InsightsPage(View):
    """A staff page of figures for a period: read the filter form, compute, then show the page or
    export one of its tables as CSV. Each page names its form, figures, tables and the rest of
    its context; the figures are in the context as ``figures_name``."""

    form_class: type[PeriodForm] = PeriodForm
    name: str  # the first word of the CSV file names
    template_name = ""  # by default admin/insights/<name>.html
    title: str
    figures_name: str = "data"

    def figures(self, form: Any, today: date) -> Any:
        raise NotImplementedError

    def tables(self, figures: Any) -> dict[str, Table]:
        raise NotImplementedError

    def page_context(self, figures: Any | None, today: date) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        form = bound_form(self.form_class, request, today)
        figures = tables = None
        if form.is_valid():
            figures = self.figures(form, today)
            tables = _with_csv_urls(request, self.tables(figures))
        if request.GET.get("format") == "csv":
            return csv_export(request, form, tables, self.name)
        context = {
            **admin.site.each_context(request),
            "title": str(self.title),
            # The tables are wide: give them the sidebar's room.
            "is_nav_sidebar_enabled": False,
            "form": form,
            self.figures_name: figures,
            "tables": tables,
            **self.page_context(figures, today),
        }
        template = self.template_name or f"admin/insights/{self.name}.html"
        return TemplateResponse(request, template, context)


class InsightsView(InsightsPage):
    """The operator dashboard: money, loss ratios, the cap and the work queues of a period."""

    form_class = InsightsForm
    name = "insights"
    template_name = "admin/insights/index.html"
    title = gettext_lazy("Insights")

    def figures(self, form: InsightsForm, today: date) -> queries.Insights:
        return queries.insights_page(period=form.period, granularity=form.granularity, today=today)

    def tables(self, figures: queries.Insights) -> dict[str, Table]:
        return pages.insights_tables(figures)

    def page_context(self, figures: queries.Insights | None, today: date) -> dict[str, Any]:
        return {
            "cards": pages.summary_cards(figures) if figures else [],
            "charts": pages.insights_charts(figures) if figures else [],
            "queues": figures.queues if figures else queries.work_queues(today=today),
            "queues_today": today,
            "backtest_url": reverse("insights:backtest"),
            "calibration_url": reverse("insights:calibration"),
            "book_url": reverse("insights:book"),
            "granularities": [WEEK, MONTH],
        }


class BacktestView(InsightsPage):
    """Re-price the boosts settled in a period under the current or candidate rules."""

    form_class = BacktestForm
    name = "backtest"
    title = gettext_lazy("Pricing backtest")
    figures_name = "result"

    def figures(self, form: BacktestForm, today: date) -> backtest.Backtest:
        return backtest.run_backtest(period=form.period, rules=form.rules)

    def tables(self, figures: backtest.Backtest) -> dict[str, Table]:
        return pages.backtest_tables(figures)

    def page_context(self, figures: backtest.Backtest | None, today: date) -> dict[str, Any]:
        return {
            "chart": pages.backtest_chart(figures) if figures else None,
            "current_rules": backtest.candidate_rules(),
            "insights_url": reverse("insights:index"),
        }


class CalibrationView(InsightsPage):
    """Each pricing model's predictions against real (or simulated) outcomes, with its light."""

    form_class = CalibrationForm
    name = "calibration"
    title = gettext_lazy("Pricing model calibration")

    def figures(self, form: CalibrationForm, today: date) -> calibration_report.CalibrationData:
        return calibration_report.calibration_data(
            period=form.period,
            source=form.cleaned_data["source"] or None,
            rules=backtest.candidate_rules(),
        )

    def tables(self, figures: calibration_report.CalibrationData) -> dict[str, Table]:
        return pages.calibration_tables(figures)

    def page_context(
        self, figures: calibration_report.CalibrationData | None, today: date
    ) -> dict[str, Any]:
        return {
            "cards": pages.calibration_light_cards(figures) if figures else [],
            "charts": pages.calibration_charts(figures) if figures else [],
            "live_model": selectors.live_model(),
            "min_real": calibration_report.MIN_REAL_BOOSTS,
            "simulated_boosts": calibration_report.SIMULATED_BOOSTS,
            "simulated_seed": calibration_report.SIMULATED_SEED,
            "insights_url": reverse("insights:index"),
            "backtest_url": reverse("insights:backtest"),
        }


class BookView(InsightsPage):
    """The guarantee as a book: exposure, expected payout, unearned fees, loss ratio, daily."""

    name = "book"
    title = gettext_lazy("The book")
    figures_name = "days"

    @property
    def target(self) -> Decimal:
        return backtest.candidate_rules().target_loss_ratio

    def figures(self, form: PeriodForm, today: date) -> list[book.BookDay]:
        return book.book(period=form.period, now=timezone.now())

    def tables(self, figures: list[book.BookDay]) -> dict[str, Table]:
        return {"book": pages.book_table(figures, self.target)}

    def page_context(self, figures: list[book.BookDay] | None, today: date) -> dict[str, Any]:
        return {
            "cards": pages.book_cards(figures) if figures else [],
            "charts": pages.book_charts(figures, self.target) if figures else [],
            "insights_url": reverse("insights:index"),
        }


insights_view = operator_required(InsightsView.as_view())
backtest_view = operator_required(BacktestView.as_view())
calibration_view = operator_required(CalibrationView.as_view())
book_view = operator_required(BookView.as_view())
