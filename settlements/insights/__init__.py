"""The operator insights and pricing backtest staff pages (DESIGN §4, §6, §7), one concern a module.

``periods`` and ``figures`` (pure maths), ``queries`` (aggregates and work queues), ``backtest``
(the re-pricing engine), ``tables`` and ``charts`` (pure formatting and SVG geometry), ``pages``
(what each page shows), ``forms``, ``views`` and ``urls``. Nothing here imports the views, so a
command or the admin home page can use the figures without the pages.
"""

from .figures import Figures, total
from .periods import BANDS, GRANULARITIES, MONTH, OUTSIDE_BANDS, WEEK, Band, Period, band_for
from .queries import (
    Insights,
    QueueDates,
    WorkQueue,
    band_figures,
    influencer_figures,
    insights_page,
    period_figures,
    queue_dates,
    work_queues,
)

__all__ = [
    "BANDS",
    "GRANULARITIES",
    "MONTH",
    "OUTSIDE_BANDS",
    "WEEK",
    "Band",
    "Figures",
    "Insights",
    "Period",
    "QueueDates",
    "WorkQueue",
    "band_figures",
    "band_for",
    "influencer_figures",
    "insights_page",
    "period_figures",
    "queue_dates",
    "total",
    "work_queues",
]
