"""What each staff page shows: its tables, summary cards and charts, one module per page family.

The insights page (``queries.Insights``) and the backtest (``backtest.Backtest``) are turned into
``tables.Table``s and ``charts.Chart``s here; the views render them and the ``backtest`` command
prints the same tables.
"""

from .backtest import backtest_chart, backtest_tables
from .book import book_cards, book_charts, book_table
from .calibration import (
    BAND_LABELS,
    DIMENSION_TITLES,
    LIGHTS,
    calibration_charts,
    calibration_light_cards,
    calibration_tables,
)
from .common import Card, above_target, ratio_text
from .insights import figure_columns, insights_charts, insights_tables, summary_cards

__all__ = [
    "BAND_LABELS",
    "Card",
    "DIMENSION_TITLES",
    "LIGHTS",
    "above_target",
    "backtest_chart",
    "backtest_tables",
    "book_cards",
    "book_charts",
    "book_table",
    "calibration_charts",
    "calibration_light_cards",
    "calibration_tables",
    "figure_columns",
    "insights_charts",
    "insights_tables",
    "ratio_text",
    "summary_cards",
]
