"""The peer group of pricing model v2: what other influencers' histories say about one.

Pricing model v2 (``orders.pricing_v2``) shrinks an influencer's figures toward its peer group's,
so it needs, from the peers' histories as of the same instant:

* the **age profile**: how many views a video has at a given age relative to its 14-day views
  (mean log views by age bucket, relative to each peer's settled level, pinned at the 13-16 day
  bucket), and how much noise an age adds (the extra variance of that bucket);
* the **level** figures of credibility on log views per yuan of fixed price (price is what the
  marketplace already knows about a creator's reach): the peers' straight line of that level on
  log price (Hachemeister's regression form of Bühlmann–Straub, so the prior follows price),
  the between variance of their levels about it, and the pooled within variance;
* the **spread** figures: the peers' mean log variance of log views and its between variance;
* the **trend** figures: the peers' mean slope of log views over time and the between variance
  of their slopes, so a trend is believed as far as the influencer's own history shows it.

A peer's level comes from its settled videos (at least ``SETTLED_DAYS`` old) in the §4 window
and weights; its spread from the settled videos of a longer window (``SPREAD_DAYS``, half-life
``SPREAD_HALF_LIFE_DAYS``), measured about its straight-line trend (fitted there too), since the
level moves over months and the spread much less, and winsorized at ±``CLIP`` s.d. so one viral
hit or flop does not stand for the whole spread.

``PeerGroup`` keeps only sums (peer counts, and floats in integer units of 2⁻⁴⁰), so a group's
figures do not depend on the order of its peers and a peer is added or removed exactly; a
caller pricing many influencers at one instant summarizes each once and subtracts. Pure: no
database.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .pricing import PricingRules, history_window

SETTLED_DAYS = 7.0
# Upper bounds (days) of the age buckets; the reference bucket (13, 16] holds the 14-day mark.
AGE_EDGES = (0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 7, 10, 13, 16, 20, 25, 30, 35, 40, 50, 60, 80, math.inf)
REFERENCE_BUCKET = AGE_EDGES.index(16)
MIN_BUCKET_VIDEOS = 20
MIN_PEERS = 10
SPREAD_DAYS = 120
SPREAD_HALF_LIFE_DAYS = 60
# Without enough peers the spread is shrunk toward a log-views s.d. of 0.6, worth about 4 videos.
FALLBACK_LOG_VARIANCE = math.log(0.6**2)
FALLBACK_LOG_VARIANCE_BETWEEN = 0.5
# Floors of the between variances, so a homogeneous peer group still leaves some credibility.
MIN_BETWEEN_SHARE = 0.01
MIN_LOG_VARIANCE_BETWEEN = 0.01
MIN_VARIANCE = 1e-6
CLIP = 2.0
# A peer group is the influencers nearest in fixed price; this many of them.
PEER_COUNT = 600
# E[min(z², CLIP²)] for a standard normal z.
_CLIPPED_SHARE = (
    math.erf(CLIP / math.sqrt(2))
    - 2 * CLIP * math.exp(-(CLIP**2) / 2) / math.sqrt(2 * math.pi)
    + CLIP**2 * math.erfc(CLIP / math.sqrt(2))
)
_SCALE = 2**40


def age_bucket(age_days: float) -> int:
    """Index of the age bucket holding ``age_days`` (upper bounds inclusive)."""
    return bisect.bisect_left(AGE_EDGES, age_days)


def log_views(views: int) -> float:
    return math.log(max(views, 1))


def spread_rules(rules: PricingRules) -> PricingRules:
    """The window and weights the spread is read over."""
    return dataclasses.replace(
        rules,
        history_days=max(rules.history_days, SPREAD_DAYS),
        half_life_days=SPREAD_HALF_LIFE_DAYS,
    )


# --- One peer ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerSummary:
    """One peer's history: its settled level, spread, and the residuals of the age profile."""

    settled_videos: int
    effective_videos: float
    level: float | None
    relative_level: float | None  # log(views ÷ fixed price), the level credibility shrinks
    log_price: float | None
    trend: TrendFit | None
    residuals: tuple[tuple[int, float], ...]


def summarize_peer(
    history: Sequence[tuple[datetime, int]],
    as_of: datetime,
    rules: PricingRules,
    fixed_price: Decimal | None = None,
) -> PeerSummary:
    """Summarize a peer's history as of ``as_of``; without its price it gives no level figures."""
    settled = [
        (log_views(v.views), v.weight)
        for v in history_window(history, as_of, rules)
        if v.age_days >= SETTLED_DAYS
    ]
    n_eff, level, _ = weighted_moments(settled)
    videos = history_window(history, as_of, spread_rules(rules))
    trend = trend_fit(
        [(log_views(v.views), v.weight, v.age_days) for v in videos if v.age_days >= SETTLED_DAYS]
    )
    residuals: tuple[tuple[int, float], ...] = ()
    relative = log_price = None
    if level is not None and len(settled) >= 2:
        residuals = tuple((age_bucket(v.age_days), log_views(v.views) - level) for v in videos)
        if fixed_price is not None and fixed_price > 0:
            log_price = math.log(fixed_price)
            relative = level - log_price
    else:
        level = None
    return PeerSummary(len(settled), n_eff, level, relative, log_price, trend, residuals)


# --- The group ---------------------------------------------------------------------------------

# The sums a group keeps, in this order, then the count, sum and sum of squares per age bucket.
_SUMS = (
    "level_peers",
    "price_sum",
    "price_squares",
    "level_sum",
    "level_squares",
    "price_level",
    "level_noise",
    "within_dof",
    "within_squares",
    "spread_peers",
    "spread_sum",
    "spread_squares",
    "spread_noise",
    "slope_peers",
    "slope_sum",
    "slope_squares",
    "slope_noise",
)
_BUCKETS = len(AGE_EDGES)
_SIZE = len(_SUMS) + 3 * _BUCKETS


@dataclass(frozen=True)
class PeerEstimates:
    """The peer figures v2 uses; None where the peers are too few (see ``PeerGroup.estimates``).

    Levels are log views per yuan of fixed price; variances are of log views.
    """

    level_peers: int
    level_intercept: float | None
    level_slope: float | None
    between_variance: float | None
    within_variance: float | None
    level_k: float | None
    spread_peers: int
    log_variance_mean: float
    log_variance_between: float
    spread_fallback: bool
    slope_peers: int
    slope_mean: float
    slope_between: float
    age_shifts: tuple[float | None, ...]
    age_noise: tuple[float | None, ...]


@dataclass(frozen=True)
class PeerGroup:
    """Sums over peer summaries, laid out as ``_SUMS`` then the age buckets' counts, sums and
    sums of squares; groups add and subtract exactly."""

    sums: tuple[int, ...] = (0,) * _SIZE

    @classmethod
    def of(cls, summaries: Iterable[PeerSummary]) -> PeerGroup:
        return sum((cls.of_one(summary) for summary in summaries), cls())

    @classmethod
    def of_one(cls, summary: PeerSummary) -> PeerGroup:
        """The group of one peer: add and subtract these to build or trim a group."""
        sums = [0] * _SIZE
        trend = summary.trend
        variance = trend.variance if trend else None
        dof = trend.effective_videos - 2 if trend else 0.0
        level, price = summary.relative_level, summary.log_price
        if variance is not None and level is not None and price is not None:
            noise = variance / summary.effective_videos
            sums[0:7] = [
                1,
                _units(price),
                _units(price**2),
                _units(level),
                _units(level**2),
                _units(price * level),
                _units(noise),
            ]
        if variance is not None and dof > 0:
            sums[7:9] = [_units(dof), _units(dof * variance)]
        if variance is not None and dof >= 1:
            log_variance, noise = corrected_log_variance(variance, dof), log_variance_noise(dof)
            sums[9:13] = [1, _units(log_variance), _units(log_variance**2), _units(noise)]
        if trend is not None and trend.slope_variance is not None:
            slope = trend.slope
            sums[13:17] = [1, _units(slope), _units(slope**2), _units(trend.slope_variance)]
        counts, totals, squares = len(_SUMS), len(_SUMS) + _BUCKETS, len(_SUMS) + 2 * _BUCKETS
        for bucket, residual in summary.residuals:
            sums[counts + bucket] += 1
            sums[totals + bucket] += _units(residual)
            sums[squares + bucket] += _units(residual**2)
        return cls(tuple(sums))

    def __add__(self, other: PeerGroup) -> PeerGroup:
        return PeerGroup(tuple(map(operator.add, self.sums, other.sums)))

    def __sub__(self, other: PeerGroup) -> PeerGroup:
        return PeerGroup(tuple(map(operator.sub, self.sums, other.sums)))

    def _sum(self, name: str) -> float:
        return _float(self.sums[_SUMS.index(name)])

    def _count(self, name: str) -> int:
        return self.sums[_SUMS.index(name)]

    def _buckets(self, part: int) -> tuple[int, ...]:
        start = len(_SUMS) + part * _BUCKETS
        return self.sums[start : start + _BUCKETS]

    def estimates(self) -> PeerEstimates:
        """The figures credibility needs. With fewer than ``MIN_PEERS`` peers of known price the
        level is not shrunk (``level_k`` None); with fewer than that many spreads the spread is
        shrunk toward the stated fallback; an age bucket with few videos gets no profile."""
        within = None
        if self._sum("within_dof") > 0:
            within = self._sum("within_squares") / self._sum("within_dof")
        intercept = slope = between = level_k = None
        n = self._count("level_peers")
        if n >= MIN_PEERS and within is not None:
            intercept, slope, residual = self._level_line(n)
            between = max(residual - self._sum("level_noise") / n, MIN_BETWEEN_SHARE * within)
            level_k = within / between
        log_variance, log_between = FALLBACK_LOG_VARIANCE, FALLBACK_LOG_VARIANCE_BETWEEN
        m = self._count("spread_peers")
        if m >= MIN_PEERS:
            log_variance = self._sum("spread_sum") / m
            spread = (self._sum("spread_squares") - m * log_variance**2) / (m - 1)
            log_between = max(spread - self._sum("spread_noise") / m, MIN_LOG_VARIANCE_BETWEEN)
        slope_mean, slope_between = 0.0, 0.0
        k = self._count("slope_peers")
        if k >= MIN_PEERS:
            slope_mean = self._sum("slope_sum") / k
            spread = (self._sum("slope_squares") - k * slope_mean**2) / (k - 1)
            slope_between = max(spread - self._sum("slope_noise") / k, 0.0)
        shifts, noise = self._age_profile()
        return PeerEstimates(
            level_peers=n,
            level_intercept=intercept,
            level_slope=slope,
            between_variance=between,
            within_variance=within,
            level_k=level_k,
            spread_peers=m,
            log_variance_mean=log_variance,
            log_variance_between=log_between,
            spread_fallback=m < MIN_PEERS,
            slope_peers=k,
            slope_mean=slope_mean,
            slope_between=slope_between,
            age_shifts=shifts,
            age_noise=noise,
        )

    def _level_line(self, n: int) -> tuple[float, float, float]:
        """Least squares of the peers' levels on log price: intercept, slope, residual variance."""
        mean_price, mean_level = self._sum("price_sum") / n, self._sum("level_sum") / n
        xx = self._sum("price_squares") - n * mean_price**2
        xy = self._sum("price_level") - n * mean_price * mean_level
        yy = self._sum("level_squares") - n * mean_level**2
        slope = xy / xx if xx > 0 else 0.0
        residual = max(yy - slope * xy, 0.0) / (n - 2)
        return mean_level - slope * mean_price, slope, residual

    def _age_profile(self) -> tuple[tuple[float | None, ...], tuple[float | None, ...]]:
        """Per age bucket, relative to the 14-day bucket: mean log views and extra variance."""
        moments = [
            (_float(total) / count, _float(squares) / count - (_float(total) / count) ** 2)
            if count >= MIN_BUCKET_VIDEOS
            else None
            for count, total, squares in zip(
                self._buckets(0), self._buckets(1), self._buckets(2), strict=True
            )
        ]
        reference = moments[REFERENCE_BUCKET]
        if reference is None:
            return (None,) * _BUCKETS, (None,) * _BUCKETS
        shifts = tuple(None if m is None else m[0] - reference[0] for m in moments)
        noise = tuple(None if m is None else max(0.0, m[1] - reference[1]) for m in moments)
        return shifts, noise


def peer_group(
    peer_histories: Sequence[Sequence[tuple[datetime, int]]],
    as_of: datetime,
    rules: PricingRules,
    peer_prices: Sequence[Decimal] = (),
) -> PeerGroup:
    """The group of other influencers' histories (and fixed prices), all as of ``as_of``.

    Without ``peer_prices`` the peers still give the age profile and the spread, not the level.
    """
    if peer_prices and len(peer_prices) != len(peer_histories):
        raise ValueError("peer_prices must give one fixed price per peer history")
    prices: Sequence[Decimal | None] = peer_prices or [None] * len(peer_histories)
    return PeerGroup.of(
        summarize_peer(history, as_of, rules, price)
        for history, price in zip(peer_histories, prices, strict=True)
    )


def nearest_by_price(
    singles: Sequence[tuple[int, Decimal, PeerGroup]], count: int
) -> dict[int, PeerGroup]:
    """Each ``(key, fixed price, its own group)``'s peer group: the ``count`` others nearest to
    it in fixed price, the comparable creators an operator would pick.

    A price-sorted running sum of the single-peer groups gives every window exactly, in linear
    work.
    """
    ranked = sorted(singles, key=lambda single: (single[1], single[0]))
    running = [PeerGroup()]
    for _key, _price, group in ranked:
        running.append(running[-1] + group)
    size = min(count + 1, len(ranked))
    groups = {}
    for rank, (key, _price, group) in enumerate(ranked):
        low = min(max(rank - size // 2, 0), len(ranked) - size)
        groups[key] = running[low + size] - running[low] - group
    return groups


def _units(value: float) -> int:
    return round(value * _SCALE)


def _float(units: int) -> float:
    return units / _SCALE


# --- Statistics --------------------------------------------------------------------------------


def weighted_moments(
    points: Sequence[tuple[float, float]],
) -> tuple[float, float | None, float | None]:
    """(n_eff = W²/Σw², weighted mean, unbiased weighted variance) of (value, weight) points."""
    total = sum(w for _, w in points)
    if not points or total <= 0:
        return 0.0, None, None
    squares = sum(w * w for _, w in points)
    mean = sum(w * x for x, w in points) / total
    n_eff = total**2 / squares
    denominator = total - squares / total
    if len(points) < 2 or denominator <= 0:
        return n_eff, mean, None
    variance = sum(w * (x - mean) ** 2 for x, w in points) / denominator
    return n_eff, mean, max(variance, MIN_VARIANCE)


@dataclass(frozen=True)
class TrendFit:
    """A weighted straight line of log views on age: the spread about it, its slope (per day of
    age; a rising influencer has a negative slope) and the slope's sampling variance."""

    effective_videos: float
    variance: float | None
    slope: float
    slope_variance: float | None


def trend_fit(points: Sequence[tuple[float, float, float]]) -> TrendFit | None:
    """The weighted least-squares line through (value, weight, age) points, None under three.

    The variance's denominator W·(1 − 2/n_eff) is the usual n − 2 when the weights are equal.
    """
    total = sum(w for _, w, _ in points)
    if len(points) < 3 or total <= 0:
        return None
    n_eff = total**2 / sum(w * w for _, w, _ in points)
    mean_x = sum(w * x for x, w, _ in points) / total
    mean_t = sum(w * t for _, w, t in points) / total
    spread_t = sum(w * (t - mean_t) ** 2 for _, w, t in points)
    if spread_t <= 0:
        return None
    slope = sum(w * (t - mean_t) * (x - mean_x) for x, w, t in points) / spread_t
    if n_eff <= 2:
        return TrendFit(n_eff, None, slope, None)
    squares = sum(w * (x - mean_x - slope * (t - mean_t)) ** 2 for x, w, t in points)
    variance = squares / (total * (1 - 2 / n_eff))
    # Winsorized once at ±CLIP s.d.: a viral hit or a flop widens a history's spread far more
    # than it says about the next video's shortfall; the factor keeps normal data unbiased.
    bound = CLIP * math.sqrt(variance)
    clipped = sum(w * min(abs(x - mean_x - slope * (t - mean_t)), bound) ** 2 for x, w, t in points)
    variance = max(clipped / (total * (1 - 2 / n_eff)) / _CLIPPED_SHARE, MIN_VARIANCE)
    leverage = sum((w * (t - mean_t)) ** 2 for _, w, t in points) / spread_t**2
    return TrendFit(n_eff, variance, slope, variance * leverage)


def corrected_log_variance(variance: float, dof: float) -> float:
    """log s², corrected for its bias as a χ²(dof) sample variance (E[log s²] ≈ log σ² − 1/d)."""
    return math.log(max(variance, MIN_VARIANCE)) + 1 / dof + 1 / (3 * dof**2)


def log_variance_noise(dof: float) -> float:
    """Var(log s²) of a χ²(dof) sample variance (the first terms of trigamma(d/2))."""
    return 2 / dof + 2 / dof**2 + 4 / (3 * dof**3)
