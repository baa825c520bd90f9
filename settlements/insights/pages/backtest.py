"""The backtest page: its repricing tables and chart."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..backtest import Backtest, Repriced
from ..charts import Chart, Series, bar_chart
from ..tables import BOOL, INT, MONEY, RATIO, Column, Table, ratio_percent
from .common import above_target


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
            flagged=above_target,
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
