"""The v2 quote maths: the credibility fit, E and r* from a history and its peer group."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from ..pricing import PricingRules, WeightedVideo, _check_inputs, gated_quote, history_window
from ..pricing_v2_peers import (
    SETTLED_DAYS,
    PeerEstimates,
    PeerGroup,
    age_bucket,
    corrected_log_variance,
    log_variance_noise,
    log_views,
    spread_rules,
    trend_fit,
    weighted_moments,
)
from .credibility import Credibility, CredibilityQuote
from .distribution import NODES, Predictive


def quote_v2(
    fixed_price: Decimal,
    history: Sequence[tuple[datetime, int]],
    as_of: datetime,
    *,
    boost_enabled: bool = True,
    peers: PeerGroup | None = None,
    rules: PricingRules | None = None,
    suspended_until: datetime | None = None,
) -> CredibilityQuote:
    """Price a boost with model v2 from the history and the peer group as of ``as_of``; a
    suspended influencer (§5) is not offered one, as under v1."""
    if rules is None:
        rules = PricingRules.from_settings()
    _check_inputs(fixed_price, history, as_of)
    videos = tuple(history_window(history, as_of, rules))
    peers = peers or PeerGroup()
    estimates = peers.estimates()
    spread_videos = history_window(history, as_of, spread_rules(rules))
    credibility = predictive = None
    expected = 0
    if videos:
        gap = rules.history_days / len(videos)  # mean days between its videos
        predictive, credibility = _fit(fixed_price, videos, spread_videos, estimates, gap)
        expected = _expected_views(predictive, rules)

    offered = None
    if predictive is not None and credibility is not None and expected > 0:
        percent, loss = _premium_percent(predictive, expected, rules)
        credibility = dataclasses.replace(
            credibility,
            shortfall_probability=predictive.shortfall_probability(expected),
            expected_loss_ratio=loss,
        )
        offered = percent, loss, loss <= float(rules.target_loss_ratio)

    return gated_quote(
        CredibilityQuote,
        fixed_price=fixed_price,
        as_of=as_of,
        boost_enabled=boost_enabled,
        rules=rules,
        suspended_until=suspended_until,
        inputs=videos,
        total_weight=sum(v.weight for v in videos),
        expected=expected,
        offer=lambda: offered,
        credibility=credibility,
        history=tuple((v.published_at, v.views) for v in spread_videos),
        peers=peers,
    )


def _fit(
    fixed_price: Decimal,
    videos: Sequence[WeightedVideo],
    spread_videos: Sequence[WeightedVideo],
    peers: PeerEstimates,
    publishing_gap: float,
) -> tuple[Predictive, Credibility]:
    """The predictive distribution of the next video's log 14-day views, and its figures."""
    shifts = tuple(peers.age_shifts[age_bucket(v.age_days)] for v in videos)
    within = peers.within_variance or math.exp(peers.log_variance_mean)
    points = [
        (
            log_views(v.views) - shift,
            v.weight * within / (within + _age_noise(v, peers)),
            v.age_days,
        )
        for v, shift in zip(videos, shifts, strict=True)
        if shift is not None
    ] or [(log_views(v.views), v.weight, v.age_days) for v in videos]
    n_eff, own_level, _ = weighted_moments([(x, w) for x, w, _ in points])
    assert own_level is not None  # videos is not empty and weights are positive
    trend = trend_fit(
        [
            (log_views(v.views) - (peers.age_shifts[age_bucket(v.age_days)] or 0.0), v.weight, age)
            for v in spread_videos
            if (age := v.age_days) >= SETTLED_DAYS
        ]
    )

    z, level, prior = 1.0, own_level, None
    if peers.level_k is not None and fixed_price > 0:
        assert peers.level_intercept is not None and peers.level_slope is not None
        price = math.log(fixed_price)
        prior = peers.level_intercept + peers.level_slope * price + price
        z = n_eff / (n_eff + peers.level_k)
        level = z * own_level + (1 - z) * prior

    dof = trend.effective_videos - 2 if trend else 0.0
    own_log_variance = None
    z_spread, log_variance = 0.0, peers.log_variance_mean
    if trend is not None and trend.variance is not None and dof > 0:
        own_log_variance = corrected_log_variance(trend.variance, dof)
        between = peers.log_variance_between
        z_spread = between / (between + log_variance_noise(dof))
        log_variance = z_spread * own_log_variance + (1 - z_spread) * peers.log_variance_mean
    uncertainty = (1 - z_spread) * peers.log_variance_between

    # The ordered video comes about one publishing gap from now, and the level is as old as its
    # videos' mean age: the trend, believed as far as the history shows it, moves it that far.
    staleness = sum(w * age for _, w, age in points) / sum(w for _, w, _ in points)
    staleness += publishing_gap
    z_slope, slope = 0.0, peers.slope_mean
    if trend is not None and trend.slope_variance is not None and peers.slope_between > 0:
        z_slope = peers.slope_between / (peers.slope_between + trend.slope_variance)
        slope = z_slope * trend.slope + (1 - z_slope) * peers.slope_mean
    drift = (1 - z_slope) * peers.slope_between * staleness**2
    predicted = level - slope * staleness

    level_share = 1 + z / n_eff
    sds = tuple(
        math.sqrt(math.exp(log_variance + node * math.sqrt(uncertainty)) * level_share + drift)
        for node in NODES
    )
    predictive = Predictive(level=predicted, sds=sds)
    return predictive, Credibility(
        level_peers=peers.level_peers,
        level_intercept=peers.level_intercept,
        level_slope=peers.level_slope,
        peer_level=prior,
        between_variance=peers.between_variance,
        within_variance=peers.within_variance,
        level_k=peers.level_k,
        effective_videos=n_eff,
        own_level=own_level,
        level_credibility=z,
        level=level,
        spread_videos=trend.effective_videos if trend else 0.0,
        own_log_variance=own_log_variance,
        spread_peers=peers.spread_peers,
        peer_log_variance=peers.log_variance_mean,
        log_variance_between=peers.log_variance_between,
        spread_fallback=peers.spread_fallback,
        spread_credibility=z_spread,
        log_sd=math.exp(log_variance / 2),
        log_variance_uncertainty=uncertainty,
        own_slope=trend.slope if trend else None,
        slope_peers=peers.slope_peers,
        slope_credibility=z_slope,
        slope=slope,
        staleness_days=staleness,
        drift_variance=drift,
        age_shifts=shifts,
        predicted_level=predicted,
        predictive_sds=sds,
        median_views=predictive.median(),
    )


def _age_noise(video: WeightedVideo, peers: PeerEstimates) -> float:
    return peers.age_noise[age_bucket(video.age_days)] or 0.0


def _expected_views(predictive: Predictive, rules: PricingRules) -> int:
    """The predictive median, or the largest E the top of the band still insures at T."""
    target, top = float(rules.target_loss_ratio), float(rules.max_ratio)
    median = predictive.median()
    if median < 1 or predictive.loss_ratio(top, median) <= target:
        return median
    insurable, uninsurable = 0, median  # invariant: loss(insurable) <= T < loss(uninsurable)
    while uninsurable - insurable > 1:
        middle = (insurable + uninsurable) // 2
        if predictive.loss_ratio(top, middle) <= target:
            insurable = middle
        else:
            uninsurable = middle
    return insurable


def _premium_percent(
    predictive: Predictive, expected: int, rules: PricingRules
) -> tuple[int, float]:
    """First whole percent in the band whose expected loss ratio is <= T, else the band's top.

    The loss ratio falls as the ratio rises, so the first qualifying percent is found by
    bisection over the band.
    """
    target = float(rules.target_loss_ratio)
    low, high = int(rules.min_ratio * 100), int(rules.max_ratio * 100)
    top_loss = predictive.loss_ratio(high / 100, expected)
    if top_loss > target:
        return high, top_loss
    found, loss = high, top_loss  # invariant: percent `found` qualifies, none below `low` checked
    while low < found:
        middle = (low + found) // 2
        middle_loss = predictive.loss_ratio(middle / 100, expected)
        if middle_loss <= target:
            found, loss = middle, middle_loss
        else:
            low = middle + 1
    return found, loss
