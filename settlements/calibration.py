"""Calibration of a pricing model: what it predicted against what the boosts it priced did.

Input is one ``Observation`` per settled boost (a window closed on real or simulated views): the
model's predicted shortfall probability P(A < E) and loss ratio, whether the video fell short,
the fee, the compensation owed, and the boost's band labels (premium band, volatility band,
history-size band, ...). Out come, per model:

* predicted vs realized shortfall probability by decile of the prediction;
* realized loss ratio (Σ compensation ÷ Σ fees) beside the fee-weighted predicted one, by band;
* a traffic light from Kupiec's proportion-of-failures test on the shortfalls: with p₀ the mean
  predicted probability, x shortfalls in n boosts and p̂ = x/n,

      LR = −2·[(n − x)·ln(1 − p₀) + x·ln p₀ − (n − x)·ln(1 − p̂) − x·ln p̂]  ~ χ²(1),

  **green** when LR < 3.841 (the hit rate is consistent with the model at 5 %), **amber** when
  LR < 6.635 (rejected at 5 %, not at 1 %), **red** otherwise.

Pure: money in Decimal (exact sums, ratios rounded half-up once), probabilities as floats.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from kernel.money import half_up

GREEN_BELOW = 3.841  # χ²(1) 95 % quantile
AMBER_BELOW = 6.635  # χ²(1) 99 % quantile
HISTORY_BANDS = (("few", 5), ("medium", 14), ("many", None))  # by videos in the pricing window


# By the s.d. of log views between the simulator's bands (low 0.20-0.35, medium 0.40-0.60,
# high 0.70-1.00, ``settlements.market.VOLATILITY``).
VOLATILITY_BANDS = (("low", 0.375), ("medium", 0.65), ("high", None))


def volatility_band(log_sd: float) -> str:
    """ "low" (s.d. of log views < 0.375), "medium" (< 0.65) or "high"."""
    for label, below in VOLATILITY_BANDS:
        if below is None or log_sd < below:
            return label
    raise AssertionError("the last band is open")


def implied_shortfall(
    expected_views: int, inputs: Iterable[tuple[int, float]], stated: float | None = None
) -> float:
    """P(A < E) as a model sees it, from ``(views, recency weight)`` of its pricing window.

    v2 states it (``stated``); v1 implies it: the recency-weighted share of its videos below E.
    """
    if stated is not None:
        return stated
    pairs = list(inputs)
    total = sum(weight for _views, weight in pairs)
    below = sum(weight for views, weight in pairs if views < expected_views)
    return below / total if total else 0.0


def history_band(videos: int) -> str:
    """ "few" (≤ 5 videos in the window), "medium" (6-14) or "many" (15 or more)."""
    for label, most in HISTORY_BANDS:
        if most is None or videos <= most:
            return label
    raise AssertionError("the last band is open")


@dataclass(frozen=True)
class Observation:
    """One settled boost as a model priced it."""

    model: str
    predicted_shortfall: float
    shortfall: bool
    fee: Decimal
    compensation: Decimal
    predicted_loss_ratio: Decimal
    bands: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DecileRow:
    decile: int
    boosts: int
    predicted: float
    realized: float


@dataclass(frozen=True)
class BandRow:
    band: str
    boosts: int
    fees: Decimal
    compensation: Decimal
    realized_loss_ratio: Decimal | None
    predicted_loss_ratio: Decimal | None


@dataclass(frozen=True)
class Kupiec:
    boosts: int
    shortfalls: int
    expected_rate: float
    statistic: float
    p_value: float
    light: str


@dataclass(frozen=True)
class ModelReport:
    model: str
    deciles: list[DecileRow]
    bands: dict[str, list[BandRow]]
    kupiec: Kupiec


def deciles(observations: Sequence[Observation], groups: int = 10) -> list[DecileRow]:
    """Boosts sorted by predicted probability (stable), cut into ``groups`` near-equal groups
    (fewer when there are fewer boosts)."""
    ranked = sorted(observations, key=lambda o: o.predicted_shortfall)
    n = len(ranked)
    count = min(groups, n)
    rows = []
    for index in range(count):
        members = ranked[index * n // count : (index + 1) * n // count]
        rows.append(
            DecileRow(
                decile=index + 1,
                boosts=len(members),
                predicted=sum(o.predicted_shortfall for o in members) / len(members),
                realized=sum(o.shortfall for o in members) / len(members),
            )
        )
    return rows


def loss_ratios(
    observations: Iterable[Observation], dimension: str, order: Sequence[str] = ()
) -> list[BandRow]:
    """Realized and fee-weighted predicted loss ratio per label of ``dimension``.

    Bands come in ``order`` first (those with no boost are left out), then the others by name.
    """
    grouped: dict[str, list[Observation]] = defaultdict(list)
    for observation in observations:
        grouped[observation.bands.get(dimension, "")].append(observation)
    keys = [key for key in order if key in grouped]
    keys += sorted(key for key in grouped if key not in keys)
    return [_band_row(key, grouped[key]) for key in keys]


def _band_row(band: str, members: Sequence[Observation]) -> BandRow:
    fees = sum((o.fee for o in members), Decimal(0))
    paid = sum((o.compensation for o in members), Decimal(0))
    realized = predicted = None
    if fees > 0:
        realized = half_up(Fraction(paid) / Fraction(fees), 4)
        weighted = sum((Fraction(o.fee) * Fraction(o.predicted_loss_ratio) for o in members), 0)
        predicted = half_up(Fraction(weighted) / Fraction(fees), 4)
    return BandRow(band, len(members), fees, paid, realized, predicted)


def kupiec(observations: Sequence[Observation]) -> Kupiec:
    """Kupiec's POF test of the shortfall count against the mean predicted probability."""
    n = len(observations)
    hits = sum(o.shortfall for o in observations)
    expected = sum(o.predicted_shortfall for o in observations) / n if n else 0.0
    statistic = kupiec_statistic(n, hits, expected)
    p_value = math.erfc(math.sqrt(statistic / 2)) if math.isfinite(statistic) else 0.0
    return Kupiec(n, hits, expected, statistic, p_value, traffic_light(statistic))


def kupiec_statistic(boosts: int, shortfalls: int, expected_rate: float) -> float:
    """The POF likelihood ratio; infinite when the prediction rules out what happened."""
    if boosts == 0:
        return 0.0
    observed = shortfalls / boosts
    misses = boosts - shortfalls

    def log_likelihood(p: float) -> float:
        total = 0.0
        for count, probability in ((shortfalls, p), (misses, 1 - p)):
            if count:
                if probability <= 0:
                    return -math.inf
                total += count * math.log(probability)
        return total

    null = log_likelihood(expected_rate)
    if null == -math.inf:
        return math.inf
    return max(0.0, -2 * (null - log_likelihood(observed)))


def traffic_light(statistic: float) -> str:
    if statistic < GREEN_BELOW:
        return "green"
    if statistic < AMBER_BELOW:
        return "amber"
    return "red"


def report(
    observations: Iterable[Observation], band_orders: Mapping[str, Sequence[str]]
) -> dict[str, ModelReport]:
    """Per model: deciles, loss ratios for each dimension of ``band_orders``, and the light."""
    by_model: dict[str, list[Observation]] = defaultdict(list)
    for observation in observations:
        by_model[observation.model].append(observation)
    return {
        model: ModelReport(
            model=model,
            deciles=deciles(members),
            bands={dim: loss_ratios(members, dim, order) for dim, order in band_orders.items()},
            kupiec=kupiec(members),
        )
        for model, members in sorted(by_model.items())
    }
