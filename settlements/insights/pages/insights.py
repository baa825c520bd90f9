"""The insights page: its figure tables, summary cards and charts."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from kernel.display import grouped, yuan

from ..charts import Chart, Series, bar_chart
from ..periods import GRANULARITIES, WEEK
from ..queries import Insights
from ..tables import BOOL, INT, MONEY, RATIO, Column, Table, ratio_percent
from .common import Card, above_target, ratio_text


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
            flagged=above_target,
        ),
        "bands": Table(
            "bands",
            _("By premium-ratio band"),
            figure_columns(Column("label", _("Premium ratio")), target=data.target),
            data.bands,
            footer=[data.totals],
            flagged=above_target,
            note=_("Bands whose realized loss ratio is above the target T are flagged."),
        ),
        "influencers": Table(
            "influencers",
            _("Top 10 influencers by compensation"),
            figure_columns(Column("label", _("Influencer")), target=data.target),
            data.influencers,
            flagged=above_target,
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
            ratio_text(t.loss_ratio),
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
            ratio_text(t.success_rate),
            _("%(ok)s of %(n)s windows settled reached E") % {"ok": t.succeeded, "n": t.settled},
        ),
        Card(
            "shortfall",
            _("Average shortfall"),
            ratio_text(t.average_shortfall_share),
            _("(E − A)/E over %(n)s compensated") % {"n": t.compensated},
        ),
        Card(
            "cap",
            _("Cap bound"),
            _("%(capped)s of %(n)s") % {"capped": t.capped, "n": t.compensated},
            _("%(share)s of compensations; saved %(saved)s")
            % {"share": ratio_text(t.cap_rate), "saved": yuan(t.cap_saved)},
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
