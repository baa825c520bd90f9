"""The shapes of the client API's answers (OpenAPI components).

Money is a string in yuan with two decimals (``"1234.50"``), never a float; instants are ISO 8601
with their offset; dates are calendar dates in Asia/Shanghai.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from orders.models import BoostStatus, ClientEventType, LedgerKind, VideoStatus
from settlements.models import SettlementKind, SettlementStatus, ShortfallCause

MONEY = {"pattern": r"^-?\d+\.\d{2}$", "examples": ["1234.50"]}


class InfluencerOut(Schema):
    name: str
    platform_id: str


class LineOut(Schema):
    id: int
    influencer: InfluencerOut
    fixed_price: str = Field(**MONEY)
    video_id: str | None
    published_at: datetime | None
    boost: int | None = Field(description="The boost's id, when the line was boosted.")


class OrderOut(Schema):
    code: str
    placed_at: datetime
    total_prices: str = Field(**MONEY)
    total_fees: str = Field(**MONEY)
    lines: list[LineOut]


class ProgressOut(Schema):
    """Views counted so far (only up to the window end) and the day-14 projection."""

    latest_views: int | None
    observed_at: datetime | None
    share_of_expected: float | None = Field(description="Latest views / expected views.")
    projected_views: int | None = Field(
        description="Day-14 projection while the window runs (null before there is enough data)."
    )
    whole_fee_views: int | None = Field(
        description="At or below this many views the whole boost fee comes back."
    )


class VideoStatusOut(Schema):
    """One status change the pipeline reported for the video."""

    status: VideoStatus
    at: datetime


class VideoOut(Schema):
    """The boosted video and its status (DESIGN §5): while it is not live its views are frozen."""

    id: str
    status: VideoStatus = Field(
        description="The status in force now: the latest change's, live before any."
    )
    history: list[VideoStatusOut] = Field(description="Every status change, oldest first.")


CAUSE = (
    "Why a compensation fell short: natural, creator_caused (the video was removed or made "
    "private by the creator inside the window) or platform_caused (taken down by the platform); "
    "null for any other kind."
)


class BoostOut(Schema):
    id: int
    order: str
    line: int
    influencer: InfluencerOut
    status: BoostStatus
    expected_views: int
    fixed_price: str = Field(**MONEY)
    boost_fee: str = Field(**MONEY)
    premium_ratio: str = Field(examples=["0.23"])
    valid_until: datetime
    window_start: datetime | None
    window_end: datetime | None
    progress: ProgressOut
    video: VideoOut | None = Field(description="Null until the video is published.")
    settlement: int | None
    shortfall_cause: ShortfallCause | None = Field(description=f"The settlement's cause. {CAUSE}")


class FormulaOut(Schema):
    """Every input of the settlement's calculation (DESIGN §6), as stored."""

    formula_version: str
    expected_views: int
    actual_views: int | None
    snapshot_observed_at: datetime | None
    fixed_price: str = Field(**MONEY)
    boost_fee: str = Field(**MONEY)
    expected_cpm: str | None
    raw_amount: str | None
    cap_applied: bool


class SettlementOut(Schema):
    id: int
    boost: int
    order: str
    kind: SettlementKind
    status: SettlementStatus
    amount: str = Field(**MONEY)
    service_ended_at: datetime
    computed_at: datetime
    due_date: date
    due_date_provisional: bool
    paid_at: datetime | None
    cause: ShortfallCause | None = Field(description=CAUSE)
    formula: FormulaOut


class StatementEntryOut(Schema):
    id: int
    created_at: datetime
    kind: LedgerKind
    amount: str = Field(**MONEY)
    balance_after: str = Field(**MONEY)
    order: str | None
    boost: int | None
    note: str


class EventOut(Schema):
    """An event as stored: its codes and parameters (webhooks add the order and influencer)."""

    id: int
    type: ClientEventType
    occurred_at: datetime
    boost: int | None
    settlement: int | None
    data: dict[str, Any]


class PageMeta(Schema):
    count: int = Field(description="How many rows match, on every page.")
    page: int
    page_size: int


class OrderPage(PageMeta):
    results: list[OrderOut]


class BoostPage(PageMeta):
    results: list[BoostOut]


class SettlementPage(PageMeta):
    results: list[SettlementOut]


class StatementPage(PageMeta):
    results: list[StatementEntryOut]


class EventPage(PageMeta):
    results: list[EventOut]


class DetailReply(Schema):
    detail: str


class EdgeRefusal(Schema):
    """A request refused before any view: a control character in the address or query."""

    error: str


class ValidationReply(Schema):
    detail: list[dict[str, Any]]


# Every read answers these besides 200: a control character in the query (400), no token (401),
# not this client's or none (404), bad query parameters (422).
LIST_REFUSALS: dict[int, Any] = {400: EdgeRefusal, 401: DetailReply, 422: ValidationReply}
REFUSALS: dict[int, Any] = {**LIST_REFUSALS, 404: DetailReply}
