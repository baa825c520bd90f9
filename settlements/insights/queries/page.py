"""The insights page's data, assembled from the figures, the work queues and the causes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ..figures import Figures, total
from ..periods import Period
from .aggregates import band_figures, influencer_figures, period_figures, target_loss_ratio
from .causes import (
    CauseRow,
    RecoveryRow,
    RepeatCreator,
    compensation_by_cause,
    recoveries_by_status,
    repeat_creators,
)
from .queues import WorkQueue, work_queues


@dataclass
class Insights:
    """Everything the insights page shows for one period."""

    period: Period
    granularity: str
    today: date
    target: Decimal
    periods: list[Figures]
    bands: list[Figures]
    influencers: list[Figures]
    totals: Figures
    queues: list[WorkQueue] = field(default_factory=list)
    causes: list[CauseRow] = field(default_factory=list)
    recoveries: list[RecoveryRow] = field(default_factory=list)
    repeat_creators: list[RepeatCreator] = field(default_factory=list)


def insights_page(*, period: Period, granularity: str, today: date) -> Insights:
    """Everything on the insights page in at most 17 queries, whatever the data size.

    (15 when no influencer is owed compensation in the period: their two follow-ups are skipped.)
    """
    target = target_loss_ratio()
    periods = period_figures(period=period, granularity=granularity, target=target)
    return Insights(
        period=period,
        granularity=granularity,
        today=today,
        target=target,
        periods=periods,
        bands=band_figures(period=period, target=target),
        influencers=influencer_figures(period=period, target=target),
        totals=total(periods, label=str(_("Total")), target=target),
        queues=work_queues(today=today),
        causes=compensation_by_cause(period=period),
        recoveries=recoveries_by_status(period=period),
        repeat_creators=repeat_creators(period=period),
    )
