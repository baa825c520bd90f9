"""The book page (the guarantee as an insurer's book): its day table, cards and charts."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from kernel.display import yuan

from ..book import BookDay
from ..charts import Chart, Series, bar_chart
from ..figures import above_target
from ..tables import INT, MONEY, RATIO, Column, Table, ratio_percent
from .common import Card, ratio_text


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
        flagged=lambda day: above_target(day.settled_compensation, day.settled_fees, target),
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
            ratio_text(last.loss_ratio),
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
