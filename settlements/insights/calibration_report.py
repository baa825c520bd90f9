"""The calibration report's data: each pricing model's predictions against what happened (§4b).

Real outcomes first: every boost whose window was settled in the period gives one observation of
the model that priced it (its frozen quote, fee and compensation) and, when the other model's
shadow quote was offered, one of that model too (the compensation its E and F would have owed for
the same actual views, DESIGN §6). Bands are the premium band of each quote, the volatility of
the influencer's pricing window (the recency-weighted s.d. of its log views) and its number of
videos. With fewer than ``MIN_REAL_BOOSTS`` real ones, the page shows a simulated market instead
(``settlements.market``, a fixed seed) and says so; the operator can ask for either.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orders.pricing import PricingRules
from orders.pricing_v2_peers import weighted_moments

from .. import calibration, market, market_backtest
from ..calculations import compensation
from ..selectors import windows_settled
from .periods import BANDS, OUTSIDE_BANDS, Period, band_for

MIN_REAL_BOOSTS = 100
SIMULATED_SEED = 20260101
SIMULATED_BOOSTS = 600
REAL, SIMULATED = "real", "simulated"
BAND_ORDERS: dict[str, Sequence[str]] = {
    "premium": (*(band.key for band in BANDS), OUTSIDE_BANDS),
    "volatility": tuple(label for label, _below in calibration.VOLATILITY_BANDS),
    "history": tuple(label for label, _most in calibration.HISTORY_BANDS),
}


@dataclass(frozen=True)
class CalibrationData:
    """What the page reports on: the source, its observations and each model's report."""

    source: str
    real_boosts: int
    observations: list[calibration.Observation]
    reports: dict[str, calibration.ModelReport]
    rules: PricingRules


def calibration_data(*, period: Period, source: str | None, rules: PricingRules) -> CalibrationData:
    """Real observations of ``period``, or the simulated market (``source``; None: real when
    there are at least ``MIN_REAL_BOOSTS`` settled boosts)."""
    settled, real = realized_observations(period)
    if source is None:
        source = REAL if settled >= MIN_REAL_BOOSTS else SIMULATED
    observations = real if source == REAL else list(simulated_observations(rules))
    return CalibrationData(
        source=source,
        real_boosts=settled,
        observations=observations,
        reports=calibration.report(observations, BAND_ORDERS),
        rules=rules,
    )


def realized_observations(period: Period) -> tuple[int, list[calibration.Observation]]:
    """How many boosts' windows were settled in ``period``, and the observations of their live
    and (when offered) shadow quotes; one query."""
    rows = (
        windows_settled(*period.instants())
        .order_by("pk")
        .values(
            "amount",
            "actual_views",
            "fixed_price",
            "boost__expected_views",
            "boost__boost_fee",
            "boost__premium_ratio",
            "boost__loss_ratio",
            "boost__pricing_model",
            "boost__quote",
            "boost__shadow_model",
            "boost__shadow_eligible",
            "boost__shadow_expected_views",
            "boost__shadow_premium_ratio",
            "boost__shadow_boost_fee",
            "boost__shadow_quote",
        )
    )
    observations = []
    rows = list(rows)
    for row in rows:
        quote = row["boost__quote"]
        actual = row["actual_views"] or 0
        bands = _window_bands(quote)
        observations.append(
            _observation(
                row["boost__pricing_model"],
                quote,
                expected=row["boost__expected_views"],
                ratio=row["boost__premium_ratio"],
                fee=row["boost__boost_fee"],
                owed=row["amount"],
                actual=actual,
                loss_ratio=row["boost__loss_ratio"],
                bands=bands,
            )
        )
        shadow = row["boost__shadow_quote"]
        fee = row["boost__shadow_boost_fee"]
        if row["boost__shadow_eligible"] and shadow and fee:
            expected = row["boost__shadow_expected_views"]
            observations.append(
                _observation(
                    row["boost__shadow_model"],
                    shadow,
                    expected=expected,
                    ratio=row["boost__shadow_premium_ratio"],
                    fee=fee,
                    owed=compensation(expected, actual, row["fixed_price"], fee),
                    actual=actual,
                    loss_ratio=Decimal(shadow["loss_ratio"]),
                    bands=bands,
                )
            )
    return len(rows), observations


def _observation(
    model: str,
    quote: Mapping[str, Any],
    *,
    expected: int,
    ratio: Decimal,
    fee: Decimal,
    owed: Decimal,
    actual: int,
    loss_ratio: Decimal,
    bands: Mapping[str, str],
) -> calibration.Observation:
    credibility = quote.get("credibility") or {}
    return calibration.Observation(
        model=model,
        predicted_shortfall=calibration.implied_shortfall(
            expected,
            [(v["views"], v["weight"]) for v in quote["inputs"]],
            credibility.get("shortfall_probability"),
        ),
        shortfall=actual < expected,
        fee=fee,
        compensation=owed,
        predicted_loss_ratio=loss_ratio,
        bands={**bands, "premium": band_for(ratio)},
    )


def _window_bands(quote: Mapping[str, Any]) -> dict[str, str]:
    """The volatility and history-size bands of the pricing window a quote read."""
    inputs = quote["inputs"]
    _n, _mean, variance = weighted_moments(
        [(math.log(max(v["views"], 1)), v["weight"]) for v in inputs]
    )
    return {
        "volatility": calibration.volatility_band(math.sqrt(variance or 0.0)),
        "history": calibration.history_band(len(inputs)),
    }


@functools.lru_cache(maxsize=4)
def simulated_observations(rules: PricingRules) -> tuple[calibration.Observation, ...]:
    """The simulated market of ``SIMULATED_SEED`` priced by both models and settled (cached)."""
    simulated = market.simulate_market(boosts=SIMULATED_BOOSTS, seed=SIMULATED_SEED)
    priced = market_backtest.price_market(simulated, rules=rules)
    return tuple(market_backtest.observations(priced))
