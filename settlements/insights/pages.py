"""What each staff page shows: its tables, summary cards and charts, laid out from its figures.

The insights page (``queries.Insights``) and the backtest (``backtest.Backtest``) are turned into
``tables.Table``s and ``charts.Chart``s here; the views render them and the ``backtest`` command
prints the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.display import grouped, yuan
from kernel.money import half_up

from .backtest import Backtest, Repriced
from .book import BookDay
from .calibration_report import CalibrationData
from .charts import Chart, Series, bar_chart
from .periods import BANDS, GRANULARITIES, OUTSIDE_BANDS, WEEK
from .queries import Insights
from .tables import BOOL, DASH, INT, MONEY, RATIO, Column, Table, ratio_percent


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
            _("Realized loss ratio (T = %(t)s)") % {"t": ratio_percent(target)},
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


def _above(row: Any) -> bool:
    return row.above_target


def insights_tables(data: Insights) -> dict[str, Table]:
    """The insights page's tables by name (the ``table`` of its CSV links)."""
    period_header = _("Week (from Monday)") if data.granularity == WEEK else _("Month")
    return {
        "periods": Table(
            "periods",
            _("By %(granularity)s") % {"granularity": GRANULARITIES[data.granularity].lower()},
            figure_columns(Column("label", period_header), target=data.target),
            data.periods,
            footer=[data.totals],
            flagged=_above,
        ),
        "bands": Table(
            "bands",
            _("By premium-ratio band"),
            figure_columns(Column("label", _("Premium ratio")), target=data.target),
            data.bands,
            footer=[data.totals],
            flagged=_above,
            note=_("Bands whose realized loss ratio is above the target T are flagged."),
        ),
        "influencers": Table(
            "influencers",
            _("Top 10 influencers by compensation"),
            figure_columns(Column("label", _("Influencer")), target=data.target),
            data.influencers,
            flagged=_above,
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
        "causes": Table(
            "causes",
            _("Compensation by cause"),
            [
                Column("label", _("Cause")),
                Column("cause", _("Code"), html=False),
                Column("compensated", _("Compensated"), INT),
                Column("compensation", _("Compensation"), MONEY),
            ],
            data.causes,
            note=_(
                "Creator-caused: the influencer removed or hid the video during the window; "
                "platform-caused: the platform took it down."
            ),
        ),
        "recoveries": Table(
            "recoveries",
            _("Recovery cases opened in the period"),
            [
                Column("label", _("Status")),
                Column("status", _("Code"), html=False),
                Column("cases", _("Cases"), INT),
                Column("amount", _("Amount"), MONEY),
            ],
            data.recoveries,
            note=_("Open cases are outstanding: compensation still to claim back."),
        ),
        "repeat_creators": Table(
            "repeat_creators",
            _("Influencers with repeated creator-caused shortfalls"),
            [
                Column("name", _("Influencer")),
                Column("shortfalls", _("Creator-caused shortfalls"), INT),
                Column("compensation", _("Compensation"), MONEY),
                Column("outstanding", _("Outstanding"), MONEY),
            ],
            data.repeat_creators,
            flagged=lambda row: row.outstanding > 0,
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
    return DASH if value is None else ratio_percent(value)


def summary_cards(data: Insights) -> list[Card]:
    """The period's totals at a glance."""
    t = data.totals
    return [
        Card(
            "boosts_sold",
            _("Boosts sold"),
            grouped(t.boosts_sold),
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
                "t": ratio_percent(data.target),
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


def backtest_tables(result: Backtest) -> dict[str, Table]:
    """The backtest page's tables by name: by re-priced band, and one row per boost."""
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
            flagged=_above,
            note=_("Rows whose loss ratio under these rules is above T = %(t)s are flagged.")
            % {"t": ratio_percent(result.rules.target_loss_ratio)},
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


def _boost_row(row: Repriced) -> dict[str, Any]:
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


def insights_charts(data: Insights) -> list[Chart]:
    """Money and loss ratio by period, and loss ratio by premium-ratio band."""
    # Short category labels: "03-09" for the week from Monday 9 March, "2026-03" for a month.
    labels = [row.label[5:] if data.granularity == WEEK else row.label for row in data.periods]
    target = data.target
    target_label = _("T = %(t)s") % {"t": ratio_percent(target)}
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


def backtest_chart(result: Backtest) -> Chart:
    """Predicted, realized and counterfactual loss ratios by re-priced band."""
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
        reference_label=_("T = %(t)s") % {"t": ratio_percent(target)},
    )


# --- The calibration report (DESIGN §4b) -------------------------------------------------------

LIGHTS = {
    "green": gettext_lazy("Green"),
    "amber": gettext_lazy("Amber"),
    "red": gettext_lazy("Red"),
}
BAND_LABELS = {
    "volatility": {
        "low": gettext_lazy("Low (s.d. of log views < 0.375)"),
        "medium": gettext_lazy("Medium (0.375–0.65)"),
        "high": gettext_lazy("High (≥ 0.65)"),
    },
    "history": {
        "few": gettext_lazy("Few (≤ 5 videos)"),
        "medium": gettext_lazy("Medium (6–14 videos)"),
        "many": gettext_lazy("Many (≥ 15 videos)"),
    },
    "premium": {
        **{band.key: band.label for band in BANDS},
        OUTSIDE_BANDS: gettext_lazy("Outside 10–50 %"),
    },
}
DIMENSION_TITLES = {
    "premium": gettext_lazy("premium-ratio band"),
    "volatility": gettext_lazy("volatility band"),
    "history": gettext_lazy("history-size band"),
}


def _share(value: float) -> Decimal:
    """A probability as a 4-place ratio, rounded half-up once."""
    return half_up(Fraction(value), 4)


def calibration_light_cards(data: CalibrationData) -> list[Card]:
    """Each model's traffic light: Kupiec's test of its shortfall count."""
    cards = []
    for model, report in data.reports.items():
        k = report.kupiec
        cards.append(
            Card(
                f"light-{model}",
                _("Pricing model %(model)s") % {"model": model},
                str(LIGHTS[k.light]),
                _(
                    "%(hits)s shortfalls in %(n)s boosts, %(expected)s predicted; "
                    "LR = %(lr).2f, p = %(p).3f"
                )
                % {
                    "hits": k.shortfalls,
                    "n": k.boosts,
                    "expected": ratio_percent(_share(k.expected_rate)),
                    "lr": k.statistic,
                    "p": k.p_value,
                },
                flagged=k.light != "green",
            )
        )
    return cards


def calibration_tables(data: CalibrationData) -> dict[str, Table]:
    """The lights, and per model its deciles and its loss ratios by each band."""
    tables = {
        "lights": Table(
            "lights",
            _("Shortfall hit rate per model (Kupiec)"),
            [
                Column("model", _("Pricing model")),
                Column("boosts", _("Boosts"), INT),
                Column("shortfalls", _("Shortfalls (A < E)"), INT),
                Column("expected", _("Predicted rate"), RATIO),
                Column("realized", _("Realized rate"), RATIO),
                Column("statistic", _("LR statistic")),
                Column("p_value", _("p-value")),
                Column("light", _("Status")),
            ],
            [
                {
                    "model": model,
                    "boosts": r.kupiec.boosts,
                    "shortfalls": r.kupiec.shortfalls,
                    "expected": _share(r.kupiec.expected_rate),
                    "realized": _share(r.kupiec.shortfalls / r.kupiec.boosts)
                    if r.kupiec.boosts
                    else None,
                    "statistic": f"{r.kupiec.statistic:.2f}",
                    "p_value": f"{r.kupiec.p_value:.3f}",
                    "light": str(LIGHTS[r.kupiec.light]),
                    "flag": r.kupiec.light != "green",
                }
                for model, r in data.reports.items()
            ],
            flagged=lambda row: row["flag"],
            note=_(
                "Green: the shortfall count is consistent with the mean predicted probability "
                "(LR < 3.841, 5 %); amber: rejected at 5 % but not at 1 % (LR < 6.635); red: "
                "rejected at 1 %."
            ),
        )
    }
    target = data.rules.target_loss_ratio
    for model, report in data.reports.items():
        tables[f"{model}-deciles"] = Table(
            f"{model}-deciles",
            _("%(model)s: predicted vs realized shortfall probability by decile")
            % {"model": model},
            [
                Column("decile", _("Decile"), INT),
                Column("boosts", _("Boosts"), INT),
                Column("predicted", _("Predicted P(A < E)"), RATIO),
                Column("realized", _("Realized share A < E"), RATIO),
            ],
            [
                {
                    "decile": row.decile,
                    "boosts": row.boosts,
                    "predicted": _share(row.predicted),
                    "realized": _share(row.realized),
                }
                for row in report.deciles
            ],
        )
        for dimension, rows in report.bands.items():
            labels = BAND_LABELS[dimension]
            tables[f"{model}-{dimension}"] = Table(
                f"{model}-{dimension}",
                _("%(model)s: predicted vs realized loss ratio by %(dimension)s")
                % {"model": model, "dimension": DIMENSION_TITLES[dimension]},
                [
                    Column("label", _("Band")),
                    Column("boosts", _("Boosts"), INT),
                    Column("fees", _("Fees"), MONEY),
                    Column("compensation", _("Compensation"), MONEY),
                    Column("predicted_loss_ratio", _("Predicted loss ratio"), RATIO),
                    Column("realized_loss_ratio", _("Realized loss ratio"), RATIO),
                ],
                [
                    {
                        "label": str(labels.get(row.band, row.band)),
                        "boosts": row.boosts,
                        "fees": row.fees,
                        "compensation": row.compensation,
                        "predicted_loss_ratio": row.predicted_loss_ratio,
                        "realized_loss_ratio": row.realized_loss_ratio,
                        "above": row.realized_loss_ratio is not None
                        and row.realized_loss_ratio > target,
                    }
                    for row in rows
                ],
                flagged=lambda row: row["above"],
            )
    tables["rules"] = Table(
        "rules",
        _("The rules both models price with (the backtest's candidate constants)"),
        [Column("name", _("Rule")), Column("value", _("Value"))],
        [{"name": name, "value": str(value)} for name, value in data.rules.as_dict().items()],
    )
    return tables


def calibration_charts(data: CalibrationData) -> list[Chart]:
    """Per model, predicted and realized shortfall probability by decile."""
    return [
        bar_chart(
            title=_("%(model)s: shortfall probability by decile of the prediction")
            % {"model": model},
            categories=[str(row.decile) for row in report.deciles],
            series=[
                Series(_("Predicted"), [_share(row.predicted) for row in report.deciles]),
                Series(_("Realized"), [_share(row.realized) for row in report.deciles]),
            ],
            kind=RATIO,
        )
        for model, report in data.reports.items()
    ]


# --- The book ----------------------------------------------------------------------------------


def book_table(days: list[BookDay], target: Decimal) -> Table:
    """The book day by day (the CSV export has the same columns)."""
    return Table(
        "book",
        _("The book, day by day"),
        [
            Column("day", _("Day (end of)")),
            Column("open_boosts", _("Open boosts"), INT),
            Column("open_exposure", _("Open exposure"), MONEY),
            Column("active_boosts", _("Active boosts"), INT),
            Column("expected_payout", _("Expected payout (day-14 projections)"), MONEY),
            Column("unprojected", _("Active, not yet projectable"), INT),
            Column("unearned_fees", _("Unearned fees"), MONEY),
            Column("settled_fees", _("Fees of settled windows to date"), MONEY),
            Column("settled_compensation", _("Compensation to date"), MONEY),
            Column("loss_ratio", _("Realized loss ratio to date"), RATIO),
        ],
        days,
        flagged=lambda day: day.loss_ratio is not None and day.loss_ratio > target,
        note=_("Days whose realized loss ratio to date is above the target T = %(t)s are flagged.")
        % {"t": ratio_percent(target)},
    )


def book_cards(days: list[BookDay]) -> list[Card]:
    """The book at the end of the period's last day."""
    if not days:
        return []
    last = days[-1]
    return [
        Card(
            "open_exposure",
            _("Open exposure"),
            yuan(last.open_exposure),
            _("Σ fee of %(n)s boosts awaiting publish, active or awaiting views")
            % {"n": last.open_boosts},
        ),
        Card(
            "expected_payout",
            _("Expected payout"),
            yuan(last.expected_payout),
            _("%(n)s active boosts at their day-14 projections; %(u)s not yet projectable")
            % {"n": last.active_boosts, "u": last.unprojected},
        ),
        Card(
            "unearned_fees",
            _("Unearned fees"),
            yuan(last.unearned_fees),
            _("cover not yet given: unpublished boosts and the rest of running windows"),
        ),
        Card(
            "loss_ratio",
            _("Realized loss ratio to date"),
            _ratio_text(last.loss_ratio),
            _("%(comp)s compensation ÷ %(fees)s fees of settled windows")
            % {"comp": yuan(last.settled_compensation), "fees": yuan(last.settled_fees)},
        ),
    ]


def book_charts(days: list[BookDay], target: Decimal) -> list[Chart]:
    """Exposure, expected payout and unearned fees by day, and the loss ratio to date."""
    labels = [day.day[5:] for day in days]
    return [
        bar_chart(
            title=_("Open exposure, expected payout and unearned fees by day"),
            categories=labels,
            series=[
                Series(_("Open exposure"), [d.open_exposure for d in days]),
                Series(_("Expected payout"), [d.expected_payout for d in days]),
                Series(_("Unearned fees"), [d.unearned_fees for d in days]),
            ],
            kind=MONEY,
        ),
        bar_chart(
            title=_("Realized loss ratio to date"),
            categories=labels,
            series=[Series(_("Realized loss ratio to date"), [d.loss_ratio for d in days])],
            kind=RATIO,
            reference=target,
            reference_label=_("T = %(t)s") % {"t": ratio_percent(target)},
        ),
    ]
