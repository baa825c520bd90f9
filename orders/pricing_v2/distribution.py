"""The shortfall distribution: the lognormal predictive of 14-day views, its expected loss ratio."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Probabilists' Gauss–Hermite nodes and weights (weights sum to 1).
NODES = (0.0, 1.355626179974266, -1.355626179974266, 2.856970013872806, -2.856970013872806)
WEIGHTS = (8 / 15, 0.2220759220056126, 0.2220759220056126, 0.011257411327720, 0.011257411327720)


def _normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def lognormal_loss_ratio(ratio: float, offset: float, sd: float) -> float:
    """E[min(1, max(0, 1 − X)·(1 + r)/r)] for log X ~ N(offset, sd²), X = actual / expected.

    Compensation over the fee is (1 − X)(P + F)/F with F = P·r (DESIGN §6): the whole fee once X
    falls to 1/(1 + r), linear in X between there and 1, nothing above.
    """
    cover = (1 + ratio) / ratio
    low = (math.log(1 / (1 + ratio)) - offset) / sd
    high = -offset / sd
    below_cap = _normal_cdf(low)
    partial = _normal_cdf(high) - below_cap
    partial_mean = math.exp(offset + sd * sd / 2) * (_normal_cdf(high - sd) - _normal_cdf(low - sd))
    return below_cap + cover * (partial - partial_mean)


@dataclass(frozen=True)
class Predictive:
    """The next video's log 14-day views: N(level, sd²), mixed over the spread's uncertainty."""

    level: float
    sds: tuple[float, ...]

    def loss_ratio(self, ratio: float, expected_views: int) -> float:
        offset = self.level - math.log(expected_views)
        return sum(
            weight * lognormal_loss_ratio(ratio, offset, sd)
            for weight, sd in zip(WEIGHTS, self.sds, strict=True)
        )

    def shortfall_probability(self, expected_views: int) -> float:
        """P(actual views < E)."""
        gap = math.log(expected_views) - self.level
        return sum(w * _normal_cdf(gap / sd) for w, sd in zip(WEIGHTS, self.sds, strict=True))

    def median(self) -> int:
        return math.floor(math.exp(self.level) + 0.5)
