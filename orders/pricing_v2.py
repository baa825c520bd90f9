"""Pricing model v2 (DESIGN §4b): credibility-weighted views, the fee priced to the target.

v1 reads expected views and the loss ratio straight off an influencer's few recent videos, so a
short or volatile history is under-priced. v2 treats the next video's 14-day views as lognormal
and estimates its level and spread by Bühlmann–Straub credibility: the influencer's own figures,
trusted as far as its history goes, shrunk toward its peer group's (other influencers' histories
as of the same instant, summarized by ``orders.pricing_v2_peers``). Step by step:

1. **Age.** Most views arrive in a video's first days, so each history video is first put on the
   14-day scale by the peers' age profile; a video whose age the peers cannot place is left out,
   and a young video weighs less in the level by the noise its age adds.
2. **Level**: μ = Z·x̄ + (1 − Z)·μ_peers(P), with Z = n_eff / (n_eff + k), n_eff = W² / Σw²
   under the §4 recency weights, and k = v / a: the peers' within variance over the between
   variance of their levels about μ_peers(P), the peers' straight line of log views per yuan
   on log fixed price (credibility in Hachemeister's regression form).
3. **Spread.** The log of the influencer's variance (settled videos of the longer spread window,
   about their trend) is shrunk the same way toward the peers' mean log variance:
   Z_σ = τ² / (τ² + Var(log s²)). What stays uncertain about it is integrated over (5-point
   Gauss–Hermite), and the level's own uncertainty Z·σ² / n_eff is added.
4. **Trend.** The slope of log views over the spread window, shrunk toward the peers' mean
   slope by the same credibility (their between variance of slopes against its sampling
   variance), moves the level to the expected publish time (the mean age of the level's videos
   plus one publishing gap); what stays uncertain about it adds variance.
5. **E** = the predictive median, lowered only when even the top of the band cannot bring the
   expected loss ratio down to T (then E is the largest that can).
6. **r\\*** = the first whole percent in the band whose expected loss ratio E[min(F, comp)] / F
   is ≤ T, in closed form under each lognormal; F = P × r\\* rounded half-up to 0.01.

The §4 gates apply unchanged. Deterministic and pure: floats for the statistics, Decimal for the
fee, no database, and nothing about the boost being priced beyond its history.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext

from kernel import display
from kernel.money import half_up

from .pricing import (
    IneligibleReason,
    PricingRules,
    Quote,
    WeightedVideo,
    _check_inputs,
    _local,
    history_window,
    ineligible_detail,
)
from .pricing_v2_peers import (
    SETTLED_DAYS,
    SPREAD_DAYS,
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

MODEL = "v2"
# Probabilists' Gauss–Hermite nodes and weights (weights sum to 1).
_NODES = (0.0, 1.355626179974266, -1.355626179974266, 2.856970013872806, -2.856970013872806)
_WEIGHTS = (8 / 15, 0.2220759220056126, 0.2220759220056126, 0.011257411327720, 0.011257411327720)


# --- The shortfall distribution --------------------------------------------------------------


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
            for weight, sd in zip(_WEIGHTS, self.sds, strict=True)
        )

    def shortfall_probability(self, expected_views: int) -> float:
        """P(actual views < E)."""
        gap = math.log(expected_views) - self.level
        return sum(w * _normal_cdf(gap / sd) for w, sd in zip(_WEIGHTS, self.sds, strict=True))

    def median(self) -> int:
        return math.floor(math.exp(self.level) + 0.5)


# --- The quote -------------------------------------------------------------------------------


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


def explain_v2(record: Mapping[str, Any]) -> str:
    """The words of a recorded v2 quote in the active language (as ``pricing.explain`` for v1)."""
    rules = PricingRules.from_mapping(record["rules"])
    c = record.get("credibility")
    inputs = record["inputs"]
    lines = [
        gettext("Quote (pricing model v2) as of %(as_of)s for fixed price %(price)s.")
        % {"as_of": _local(record["as_of"]), "price": display.yuan(Decimal(record["fixed_price"]))},
        gettext(
            "History: %(count)s video(s) from the last %(days)s days, weight "
            "0.5^(age/%(half_life)s d), put on the 14-day scale by the peers' age profile:"
        )
        % {"count": len(inputs), "days": rules.history_days, "half_life": rules.half_life_days},
    ]
    shifts = c["age_shifts"] if c else [None] * len(inputs)
    for video, shift in zip(inputs, shifts, strict=True):
        scale = (
            gettext("left out (no peer age profile)")
            if shift is None
            else gettext("age shift %(shift)+.3f") % {"shift": shift}
        )
        lines.append(
            gettext(
                "  #%(index)s %(published)s: %(views)s views, age %(age).2f d, "
                "weight %(weight).4f, %(scale)s"
            )
            % {
                "index": video["index"],
                "published": _local(video["published_at"]),
                "views": display.grouped(video["views"]),
                "age": video["age_days"],
                "weight": video["weight"],
                "scale": scale,
            }
        )
    if c is not None:
        lines += _credibility_lines(c, record["expected_views"], rules)
    if not record["eligible"]:
        reason = IneligibleReason(record["reason"])
        lines.append(
            gettext("Not offered (%(reason)s): %(detail)s.")
            % {"reason": reason.label, "detail": ineligible_detail(reason, record, rules)}
        )
        return "\n".join(lines)
    ratio = Decimal(record["premium_ratio"])
    lines += [
        gettext(
            "Premium ratio r* = %(ratio)s: the first whole percent in %(band)s whose expected "
            "loss ratio E[min(F, compensation)]/F is ≤ %(target)s; at r* it is %(loss)s."
        )
        % {
            "ratio": display.percent(ratio),
            "band": f"{display.percent(rules.min_ratio)}–{display.percent(rules.max_ratio)}",
            "target": display.percent(rules.target_loss_ratio),
            "loss": display.percent(Decimal(record["loss_ratio"]), places=2),
        },
        gettext("Boost fee F = %(price)s × %(ratio)s = %(fee)s (rounded half-up to 0.01).")
        % {
            "price": display.yuan(Decimal(record["fixed_price"])),
            "ratio": display.percent(ratio),
            "fee": display.yuan(Decimal(record["boost_fee"])),
        },
    ]
    return "\n".join(lines)


def _credibility_lines(c: Mapping[str, Any], expected: int, rules: PricingRules) -> list[str]:
    if c["level_k"] is None:
        level = gettext(
            "Level: own %(own).3f log views from n_eff = %(n).2f videos, not shrunk (fewer than "
            "the needed peers with a fixed price)."
        ) % {"own": c["own_level"], "n": c["effective_videos"]}
    else:
        level = gettext(
            "Level: own %(own).3f log views from n_eff = %(n).2f videos; at this price "
            "%(peers)s peers' line gives %(prior).3f (log views per yuan = %(a).3f + %(b).3f × "
            "log price; between variance %(between).4f, within %(within).4f), so k = %(k).3f, "
            "Z = %(z).3f and the level is %(level).3f (median %(median)s views)."
        ) % {
            "own": c["own_level"],
            "n": c["effective_videos"],
            "peers": c["level_peers"],
            "prior": c["peer_level"],
            "a": c["level_intercept"],
            "b": c["level_slope"],
            "between": c["between_variance"],
            "within": c["within_variance"],
            "k": c["level_k"],
            "z": c["level_credibility"],
            "level": c["level"],
            "median": display.grouped(c["median_views"]),
        }
    own = gettext("none") if c["own_log_variance"] is None else f"{c['own_log_variance']:.3f}"
    peers = (
        gettext("fallback")
        if c["spread_fallback"]
        else gettext("%(n)s peers") % {"n": c["spread_peers"]}
    )
    lines = [
        level,
        gettext(
            "Spread: own log variance %(own)s (n_eff = %(n).2f settled videos over %(days)s "
            "days, about their trend); %(peers)s: %(peer).3f (between %(between).4f); "
            "Z = %(z).3f, log s.d. %(sd).3f, uncertainty %(uncertainty).4f."
        )
        % {
            "own": own,
            "n": c["spread_videos"],
            "days": SPREAD_DAYS,
            "peers": peers,
            "peer": c["peer_log_variance"],
            "between": c["log_variance_between"],
            "z": c["spread_credibility"],
            "sd": c["log_sd"],
            "uncertainty": c["log_variance_uncertainty"],
        },
    ]
    own_slope = gettext("none") if c["own_slope"] is None else f"{c['own_slope']:+.4f}"
    lines.append(
        gettext(
            "Trend: own slope %(own)s log views per day of age, credibility %(z).3f against the "
            "%(peers)s peers' spread of slopes, so %(slope)+.4f; over %(days).1f days (the "
            "level's mean age plus one publishing gap) it moves the level to %(level).3f, "
            "adding variance %(drift).4f."
        )
        % {
            "own": own_slope,
            "z": c["slope_credibility"],
            "peers": c["slope_peers"],
            "slope": c["slope"],
            "days": c["staleness_days"],
            "level": c["predicted_level"],
            "drift": c["drift_variance"],
        }
    )
    words = {
        "expected": display.grouped(expected),
        "median": display.grouped(c["median_views"]),
        "target": display.percent(rules.target_loss_ratio),
    }
    if expected < c["median_views"]:
        lines.append(
            gettext(
                "Expected views E = %(expected)s, lowered from the median %(median)s: at the top "
                "of the band the median's expected loss ratio exceeds %(target)s."
            )
            % words
        )
    else:
        lines.append(gettext("Expected views E = %(expected)s: the predictive median.") % words)
    if c["shortfall_probability"] is not None:
        lines.append(
            gettext("Predicted shortfall probability P(A < E) = %(p).1f %%.")
            % {"p": 100 * c["shortfall_probability"]}
        )
    return lines


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

    reason = None
    suspended = suspended_until is not None and as_of < suspended_until
    if not boost_enabled:
        reason = IneligibleReason.DISABLED
    elif suspended:
        reason = IneligibleReason.SUSPENDED
    elif len(videos) < rules.min_history_videos:
        reason = IneligibleReason.NOT_ENOUGH_HISTORY
    elif expected < rules.min_expected_views:
        reason = IneligibleReason.EXPECTATION_TOO_LOW

    premium_ratio = boost_fee = loss_ratio = None
    target_met = None
    if predictive is not None and credibility is not None and expected > 0:
        percent, loss = _premium_percent(predictive, expected, rules)
        credibility = dataclasses.replace(
            credibility,
            shortfall_probability=predictive.shortfall_probability(expected),
            expected_loss_ratio=loss,
        )
        if reason is None:
            premium_ratio = Decimal(percent).scaleb(-2)
            boost_fee = half_up(fixed_price * premium_ratio)
            loss_ratio = half_up(Fraction(loss), 4)
            target_met = loss <= float(rules.target_loss_ratio)

    return CredibilityQuote(
        eligible=reason is None,
        reason=reason,
        expected_views=expected,
        premium_ratio=premium_ratio,
        boost_fee=boost_fee,
        loss_ratio=loss_ratio,
        target_met=target_met,
        total_weight=sum(v.weight for v in videos),
        fixed_price=fixed_price,
        as_of=as_of,
        boost_enabled=boost_enabled,
        rules=rules,
        inputs=videos,
        credibility=credibility,
        history=tuple((v.published_at, v.views) for v in spread_videos),
        peers=peers,
        suspended_until=suspended_until if suspended else None,
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
        for node in _NODES
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
