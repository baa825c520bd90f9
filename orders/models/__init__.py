"""The orders app's models, one module per model family, all re-exported here (Django finds them).

Money is ``DecimalField(max_digits=14, decimal_places=2)`` in CNY; rows that money hangs from are
referenced with ``PROTECT``. Every status is a ``TextChoices`` backed by a named check constraint.
"""

from ..outbox import ClientEvent, ClientEventType
from .boosts import Boost, BoostEvent, BoostStatus
from .clients import Client, ClientMembership, LedgerEntry, LedgerKind
from .influencers import HistoryVideo, Influencer
from .integration import ApiRequestLog, IntegrationToken, PublishRejection
from .money import MONEY, ZERO
from .ordering import Order, OrderLine, PricingModel, PricingModelChange, PricingSetting
from .snapshots import (
    LIVE,
    SnapshotFlag,
    SnapshotFlagReason,
    VideoStatus,
    VideoStatusEvent,
    ViewSnapshot,
)

__all__ = [
    "ApiRequestLog",
    "Boost",
    "BoostEvent",
    "BoostStatus",
    "Client",
    "ClientEvent",
    "ClientEventType",
    "ClientMembership",
    "HistoryVideo",
    "Influencer",
    "IntegrationToken",
    "LIVE",
    "LedgerEntry",
    "LedgerKind",
    "MONEY",
    "Order",
    "OrderLine",
    "PricingModel",
    "PricingModelChange",
    "PricingSetting",
    "PublishRejection",
    "SnapshotFlag",
    "SnapshotFlagReason",
    "VideoStatus",
    "VideoStatusEvent",
    "ViewSnapshot",
    "ZERO",
]
