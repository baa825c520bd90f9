"""The v2 quote: its credibility figures and the record frozen on a boost."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..pricing import Quote
from ..pricing_v2_peers import PeerGroup

MODEL = "v2"


@dataclass(frozen=True)
class Credibility:
    """Every figure a v2 quote was derived from; logs are natural logs of 14-day views. The
    peers' line gives log(views per yuan) = intercept + slope × log(fixed price)."""

    level_peers: int
    level_intercept: float | None
    level_slope: float | None
    peer_level: float | None  # the peers' level at this fixed price, in log views
    between_variance: float | None
    within_variance: float | None
    level_k: float | None
    effective_videos: float
    own_level: float
    level_credibility: float
    level: float
    spread_videos: float
    own_log_variance: float | None
    spread_peers: int
    peer_log_variance: float
    log_variance_between: float
    spread_fallback: bool
    spread_credibility: float
    log_sd: float
    log_variance_uncertainty: float
    own_slope: float | None  # per day of age: a rising influencer's slope is negative
    slope_peers: int
    slope_credibility: float
    slope: float
    staleness_days: float
    drift_variance: float
    age_shifts: tuple[float | None, ...]  # per input video; None: left out
    predicted_level: float  # the level moved along the trend to the expected publish time
    predictive_sds: tuple[float, ...]  # at the Gauss–Hermite nodes of the spread
    median_views: int
    shortfall_probability: float | None = None
    expected_loss_ratio: float | None = None


@dataclass(frozen=True)
class CredibilityQuote(Quote):
    """A v1-shaped quote priced by v2, with the credibility figures behind it."""

    model: str = MODEL
    credibility: Credibility | None = None
    # What re-pricing needs beyond v1's inputs: the spread window's history and the peer group.
    history: tuple[tuple[datetime, int], ...] = ()
    peers: PeerGroup = PeerGroup()

    def _record(self) -> dict[str, Any]:
        record = super()._record()
        record["credibility"] = dataclasses.asdict(self.credibility) if self.credibility else None
        record["history"] = [[at.isoformat(), views] for at, views in self.history]
        record["peer_group"] = list(self.peers.sums)
        return record
