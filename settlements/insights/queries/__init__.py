"""Aggregate read queries behind the insights page, one module per area; no writes here.

Every figure is a count or a sum computed by the database, grouped by period, premium-ratio band or
influencer, so a page costs the same few queries whatever the data size. Python only merges the
groups into ``Figures``, which derive the ratios exactly.

Each figure has one date basis, named on the page:

* **sold** — boosts by order time (``Order.placed_at``): boosts sold, fees collected;
* **settled** — settlements by ``computed_at``: window outcomes (succeeded or compensated), their
  fees and compensation, hence the realized loss ratio; refunds; the cap (DESIGN §6);
* **paid out** — compensation and refund credits by ``paid_at``, the cash that left.

Adjustments are corrections outside the formula and are not included in any figure.
"""

from .aggregates import (
    Dimension,
    band_case,
    band_figures,
    by_band,
    by_bucket,
    by_influencer,
    influencer_figures,
    period_figures,
    target_loss_ratio,
)
from .causes import (
    CauseRow,
    RecoveryRow,
    RepeatCreator,
    compensation_by_cause,
    recoveries_by_status,
    repeat_creators,
)
from .page import Insights, insights_page
from .queues import (
    DUE_SOON_BUSINESS_DAYS,
    REJECTIONS_DAYS,
    QueueDates,
    WorkQueue,
    publish_rejections,
    quarantined_rows,
    queue_dates,
    shortfall_queues,
    work_queues,
)

__all__ = [
    "CauseRow",
    "DUE_SOON_BUSINESS_DAYS",
    "Dimension",
    "Insights",
    "QueueDates",
    "REJECTIONS_DAYS",
    "RecoveryRow",
    "RepeatCreator",
    "WorkQueue",
    "band_case",
    "band_figures",
    "by_band",
    "by_bucket",
    "by_influencer",
    "compensation_by_cause",
    "influencer_figures",
    "insights_page",
    "period_figures",
    "publish_rejections",
    "quarantined_rows",
    "queue_dates",
    "recoveries_by_status",
    "repeat_creators",
    "shortfall_queues",
    "target_loss_ratio",
    "work_queues",
]
