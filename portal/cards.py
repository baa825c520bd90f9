"""The progress card of one order line: what its boost has reached, and how it settled.

A card is worked out once, here, so its writer (``card_html``) only lays it out: the views counted
so far (only up to the window end, DESIGN §5), the share of the expected views, where the whole fee
comes back (``orders.pricing.whole_fee_threshold``), the day-14 projection and chart (``charts``),
and the settlement with its filled-in formula once there is one, and its approved adjustments
with the net amount they leave (each shown with its client note, never finance's internal reason).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from kernel.display import grouped, percent, signed_yuan, yuan
from kernel.money import ZERO
from orders.models import Boost, BoostStatus, OrderLine
from orders.pricing import WholeFeeThreshold, whole_fee_threshold
from orders.projection import SECONDS_PER_DAY, Projection, project_views
from orders.selectors import ViewSeries
from settlements import causes
from settlements.models import Adjustment, Settlement

from . import charts

# CSS class of each boost status's badge.
BADGES: dict[str, str] = {
    BoostStatus.AWAITING_PUBLISH: "badge-waiting",
    BoostStatus.ACTIVE: "badge-active",
    BoostStatus.AWAITING_VIEWS: "badge-pending",
    BoostStatus.SUCCEEDED: "badge-success",
    BoostStatus.COMPENSATED: "badge-compensated",
    BoostStatus.EXPIRED: "badge-closed",
    BoostStatus.CANCELLED: "badge-closed",
}


@dataclass(frozen=True)
class AdjustmentRow:
    """One approved adjustment as the client sees it: amount, day and the client note."""

    value: Decimal
    approved_at: datetime | None
    note: str

    @property
    def amount(self) -> str:
        return signed_yuan(self.value)


@dataclass
class LineCard:
    """Everything one line's card shows."""

    line: OrderLine
    boost: Boost | None = None
    badge: str = ""
    settlement: Settlement | None = None
    current_views: int | None = None
    observed_at: datetime | None = None
    progress: float = 0.0  # share of the expected views reached, in %, capped at 100 for the bar
    reached_percent: float = 0.0  # the same, uncapped
    threshold: WholeFeeThreshold | None = None
    projection: Projection | None = None
    projection_percent: float | None = None
    chart: SafeString | str = ""
    axis: charts.Axis | None = None  # the chart's views axis, drawn once per page (chart_defs)
    window_over: bool = False
    validity_over: bool = False
    settled: bool = False  # the views shown are the settlement's counted views, not the latest
    formula: str = ""
    adjustments: list[AdjustmentRow] = field(default_factory=list)
    # The video's status history, oldest first: (instant, status code), DESIGN §5.
    video_statuses: list[tuple[datetime, str]] = field(default_factory=list)
    # Whether the video is not live as of now (or at the window end once it is over): counted
    # views then stay at the last count before the change.
    frozen: bool = False

    @property
    def status(self) -> str:
        return self.boost.status if self.boost else "none"

    @property
    def running(self) -> bool:
        return self.boost is not None and self.boost.status == BoostStatus.ACTIVE

    @property
    def refunded_unpublished(self) -> bool:
        """Expired or cancelled: the boost never ran, so there are no views to speak of."""
        return self.boost is not None and self.boost.status in (
            BoostStatus.EXPIRED,
            BoostStatus.CANCELLED,
        )

    @property
    def bar_class(self) -> str:
        if self.reached:
            return "reached"
        return "" if self.running else "short"

    @property
    def progress_width(self) -> str:
        return f"{self.progress:.1f}"

    @property
    def progress_now(self) -> str:
        return f"{self.progress:.0f}"

    @property
    def threshold_left(self) -> str:
        return f"{self.threshold_progress:.1f}"

    @property
    def reached_text(self) -> str:
        return f"{self.reached_percent:.0f}"

    @property
    def projection_text(self) -> str:
        return f"{self.projection_percent:.0f}" if self.projection_percent is not None else ""

    @property
    def reached(self) -> bool:
        return self.boost is not None and (self.current_views or 0) >= self.boost.expected_views

    @property
    def threshold_progress(self) -> float:
        return float(self.threshold.share * 100) if self.threshold else 0.0

    @property
    def price(self) -> str:
        return yuan(self.line.fixed_price)

    @property
    def fee(self) -> str:
        return yuan(self.boost.boost_fee) if self.boost else ""

    @property
    def premium(self) -> str:
        return percent(self.boost.premium_ratio) if self.boost else ""

    @property
    def expected(self) -> str:
        return grouped(self.boost.expected_views) if self.boost else ""

    @property
    def views(self) -> str:
        return grouped(self.current_views)

    @property
    def threshold_views(self) -> str:
        return grouped(self.threshold.views) if self.threshold else ""

    @property
    def projected(self) -> str:
        return grouped(self.projection.views) if self.projection else ""

    @property
    def amount(self) -> str:
        return yuan(self.settlement.amount) if self.settlement is not None else ""

    @property
    def net(self) -> str:
        """The settlement's amount with its approved adjustments: what the client gets in all."""
        if self.settlement is None:
            return ""
        return yuan(self.settlement.amount + sum((a.value for a in self.adjustments), ZERO))


def boost_of(line: OrderLine) -> Boost | None:
    """The line's boost, None for a video bought without one."""
    return getattr(line, "boost", None)


def line_card(
    line: OrderLine,
    *,
    series: ViewSeries | None,
    settlements: Mapping[int, Settlement],
    now: datetime,
    adjustments: Mapping[int, Sequence[Adjustment]] | None = None,
    statuses: Sequence[tuple[datetime, str]] = (),
) -> LineCard:
    """The card of ``line`` as of ``now``, at no query cost; ``settlements`` maps boost ids to
    their settlement, ``adjustments`` settlement ids to their approved adjustments, ``statuses``
    is the video's (instant, status) history (``orders.selectors.status_events``).

    The line comes with its boost (``orders.selectors.client_order``), ``series`` is its boost's
    counted views (``orders.selectors.chart_series``; None before publish) and ``settlements`` maps
    boost ids to their settlement.
    """
    boost = boost_of(line)
    card = LineCard(line=line, boost=boost)
    if boost is None:
        return card
    card.badge = BADGES.get(boost.status, "")
    card.settlement = settlement = settlements.get(boost.pk)
    if settlement is not None and adjustments:
        card.adjustments = [
            AdjustmentRow(value=a.amount, approved_at=a.decided_at, note=a.client_note)
            for a in adjustments.get(settlement.pk, ())
        ]
    card.threshold = whole_fee_threshold(boost.expected_views, line.fixed_price, boost.boost_fee)
    if boost.status == BoostStatus.AWAITING_PUBLISH:
        card.validity_over = boost.valid_until <= now
    if boost.window_start is None or boost.window_end is None:
        return card
    points, latest = (series.points, series.latest) if series is not None else ([], None)
    if latest is not None:
        card.observed_at, card.current_views = latest
    if settlement is not None and settlement.actual_views is not None:
        card.current_views = settlement.actual_views
        card.observed_at = settlement.snapshot_observed_at
        card.settled = True
    if card.current_views is not None and boost.expected_views:
        card.reached_percent = 100.0 * card.current_views / boost.expected_views
        card.progress = min(100.0, card.reached_percent)
    card.window_over = boost.window_end <= now
    card.video_statuses = list(statuses)
    card.frozen = causes.status_at(statuses, min(now, boost.window_end)) in causes.NOT_LIVE
    if boost.status == BoostStatus.ACTIVE and not card.window_over:
        card.projection = project_views(points)
        if card.projection is not None and boost.expected_views:
            card.projection_percent = 100.0 * card.projection.views / boost.expected_views
    now_day = (now - boost.window_start).total_seconds() / SECONDS_PER_DAY
    card.axis = charts.chart_axis(
        points, expected_views=boost.expected_views, projection=card.projection
    )
    card.chart = mark_safe(  # progress_chart escapes every text it writes
        charts.progress_chart(
            points,
            expected_views=boost.expected_views,
            projection=card.projection,
            whole_fee_views=card.threshold.views if card.threshold else None,
            now_day=now_day if not card.window_over else None,
        )
    )
    explanation = settlement.explanation if settlement is not None else None
    if explanation is not None:
        card.formula = explanation.describe()
    return card
