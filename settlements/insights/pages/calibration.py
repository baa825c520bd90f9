"""The calibration page: its traffic-light cards, tables and charts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.money import half_up

from ..calibration_report import CalibrationData
from ..charts import Chart, Series, bar_chart
from ..figures import above_target
from ..periods import BANDS, OUTSIDE_BANDS
from ..tables import INT, MONEY, RATIO, Column, Table, ratio_percent
from .common import Card

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
                        "above": above_target(row.compensation, row.fees, target),
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
