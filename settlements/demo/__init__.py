"""The demo data set: names and constants, the plan drawn from a seed, and its replay.

``names`` (fictional names, outcomes, the daily routine), ``specs`` (the plan as data) and ``plan``
(every random draw and the view-curve maths) are pure; ``replay`` writes the plan through the real
services and is imported by the ``seed_demo`` command only, so importing this package touches no
model.
"""

from .names import (
    CLIENT_CODES,
    DEFAULT_SEED,
    HISTORY_DAYS,
    IMPORT_AT,
    PAY_AT,
    REVIEW_AT,
    SWEEP_AT,
    Outcome,
    Role,
)
from .plan import build_plan, daily, import_cutoff, target_views, view_curve
from .specs import ClientSpec, Curve, DemoPlan, HistorySpec, InfluencerSpec, LineSpec, OrderSpec

__all__ = [
    "CLIENT_CODES",
    "DEFAULT_SEED",
    "HISTORY_DAYS",
    "IMPORT_AT",
    "PAY_AT",
    "REVIEW_AT",
    "SWEEP_AT",
    "ClientSpec",
    "Curve",
    "DemoPlan",
    "HistorySpec",
    "InfluencerSpec",
    "LineSpec",
    "OrderSpec",
    "Outcome",
    "Role",
    "build_plan",
    "daily",
    "import_cutoff",
    "target_views",
    "view_curve",
]
