"""The quote: the outcome of §4 with every input, as frozen on a boost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from .explanations import explain
from .rules import FORMULA_VERSION, IneligibleReason, PricingRules


@dataclass(frozen=True)
class WeightedVideo:
    """A history video inside the window; ``index`` is its position in the caller's list."""

    index: int
    published_at: datetime
    views: int
    age_days: float
    weight: float


@dataclass(frozen=True)
class Quote:
    """The outcome of §4 plus every input, so it can be frozen on a boost and explained later.

    ``premium_ratio``, ``boost_fee``, ``loss_ratio`` (LR(r*) to 4 dp) and ``target_met`` (False
    when no ratio reached T and r* fell back to the top of the band) are None exactly when not
    ``eligible``; ``expected_views`` is still computed for ineligible quotes with history, so
    they can show it (0 when the window holds no video).
    """

    eligible: bool
    reason: IneligibleReason | None
    expected_views: int
    premium_ratio: Decimal | None
    boost_fee: Decimal | None
    loss_ratio: Decimal | None
    target_met: bool | None
    total_weight: float
    fixed_price: Decimal
    as_of: datetime
    boost_enabled: bool
    rules: PricingRules
    inputs: tuple[WeightedVideo, ...]
    # The caller's ids for its history list (same order), recorded with the inputs when given.
    video_ids: tuple[str, ...] = ()
    # The pricing model version that produced the quote (DESIGN §4b); this module is "v1".
    model: str = "v1"
    # Until when boosts are suspended after a creator-caused shortfall (DESIGN §5), if they are.
    suspended_until: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable record of the quote: Decimals as strings, instants as ISO 8601."""
        record = self._record()
        return {**record, "explanation": explain(record)}

    def _record(self) -> dict[str, Any]:
        suspension = (
            {"suspended_until": self.suspended_until.isoformat()} if self.suspended_until else {}
        )
        return {
            **suspension,
            "model": self.model,
            "formula_version": FORMULA_VERSION,
            "as_of": self.as_of.isoformat(),
            "fixed_price": str(self.fixed_price),
            "boost_enabled": self.boost_enabled,
            "eligible": self.eligible,
            "reason": self.reason.value if self.reason else None,
            "expected_views": self.expected_views,
            "total_weight": self.total_weight,
            "premium_ratio": _str_or_none(self.premium_ratio),
            "loss_ratio": _str_or_none(self.loss_ratio),
            "target_met": self.target_met,
            "boost_fee": _str_or_none(self.boost_fee),
            "rules": self.rules.as_dict(),
            "inputs": [
                {
                    "index": video.index,
                    "video_id": self.video_ids[video.index] if self.video_ids else None,
                    "published_at": video.published_at.isoformat(),
                    "views": video.views,
                    "age_days": video.age_days,
                    "weight": video.weight,
                }
                for video in self.inputs
            ],
        }

    def explanation(self) -> str:
        """A few lines an operator can read to see how E and r* were reached."""
        return explain(self._record())


def _str_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
