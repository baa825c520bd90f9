"""The demo plan as plain data: influencers with their history, clients, orders and their lines.

Dataclasses (lines and orders are filled in while the plan is drawn), compared by value so the
same seed and instant give an equal plan. No database access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings

from .names import Outcome, Role


@dataclass(frozen=True)
class HistorySpec:
    video_id: str
    published_at: datetime
    views: int


@dataclass(frozen=True)
class InfluencerSpec:
    platform_id: str
    name: str
    fixed_price: Decimal
    boost_enabled: bool
    role: Role
    profile: str
    median_views: int
    history: tuple[HistorySpec, ...]


@dataclass(frozen=True)
class ClientSpec:
    code: str
    name: str
    contact_email: str
    username: str
    top_up: Decimal
    top_up_at: datetime


@dataclass(frozen=True)
class Curve:
    """How a published video's views are observed: when, how fast they grow, how noisy.

    ``draw`` (0–1) places the final count inside the band of the line's outcome; see
    ``target_views``.
    """

    observations: tuple[datetime, ...]
    tau_days: float
    noise: tuple[float, ...]
    draw: float


@dataclass
class LineSpec:
    influencer: InfluencerSpec
    boost: bool
    outcome: Outcome | None = None  # None for a line without a boost
    video_id: str | None = None
    published_at: datetime | None = None
    reported_at: datetime | None = None  # when the publish event reached the back-office
    cancel_at: datetime | None = None
    curve: Curve | None = None


@dataclass
class OrderSpec:
    number: int
    client: ClientSpec
    placed_at: datetime
    lines: list[LineSpec] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"demo-order-{self.number:03d}"

    @property
    def valid_until(self) -> datetime:
        return self.placed_at + relativedelta(months=settings.BOOST_VALIDITY_MONTHS)


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    now: datetime
    influencers: tuple[InfluencerSpec, ...]
    clients: tuple[ClientSpec, ...]
    orders: tuple[OrderSpec, ...]
    # (order key, platform id) of the compensation finance holds, so its queue is not empty.
    hold: tuple[str, str] | None
    # (order key, platform id, instant) of the one video its creator removes inside the window.
    removal: tuple[str, str, datetime] | None = None
