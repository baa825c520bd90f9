"""Read queries for clients, influencers and boosts, one module per area; no writes here."""

from .balances import balance_subquery, client_balance, client_balances
from .charts import CHART_POINTS, SECONDS_PER_DAY, ViewSeries, chart_series
from .client_orders import (
    BOOST_STATUS_GROUPS,
    ZERO_MONEY,
    client_order,
    client_order_with_key,
    client_orders,
    influencer_names_by_order,
    influencers_for_picking,
    membership_of,
)
from .quotes import live_model, peer_groups, quote_influencers
from .snapshots import counted_snapshots, first_flagged, status_events, stored_views
from .statements import (
    charged_influencers,
    order_line_price_key,
    statement_entries,
    statement_totals,
    with_references,
)

__all__ = [
    "BOOST_STATUS_GROUPS",
    "CHART_POINTS",
    "SECONDS_PER_DAY",
    "ViewSeries",
    "ZERO_MONEY",
    "balance_subquery",
    "charged_influencers",
    "chart_series",
    "client_balance",
    "client_balances",
    "client_order",
    "client_order_with_key",
    "client_orders",
    "counted_snapshots",
    "first_flagged",
    "influencer_names_by_order",
    "influencers_for_picking",
    "live_model",
    "membership_of",
    "order_line_price_key",
    "peer_groups",
    "quote_influencers",
    "statement_entries",
    "statement_totals",
    "status_events",
    "stored_views",
    "with_references",
]
