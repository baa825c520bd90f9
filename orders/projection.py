"""A published boost's day-14 projection of its views (DESIGN §5), for the client's card and the
book.

Pure: no database and no models. The caller passes a boost's view snapshots as
``(days since publish, views)`` points.

The projection
--------------
A video's views accumulate fast in its first days and then level off, so the trajectory so far is
fitted to a saturating exponential anchored at the publish instant (no views yet at t = 0)::

    views(t) = V∞ · (1 − e^(−t/τ))

V∞ is where the views level off and τ (days) how fast they get there. For a fixed τ the
least-squares V∞ has a closed form, ``V∞(τ) = Σ g_i·y_i / Σ g_i²`` with ``g_i = 1 − e^(−t_i/τ)``, so
the fit is a one-dimensional search over τ: a fixed log-spaced grid from 1 hour to 1,000 days
(``TAU_GRID`` points, each about 3.5 times the last), then ``GOLDEN_STEPS`` golden-section steps
around the best grid point, which pin τ to well under 1 %: about two dozen sums over the points in
all. No randomness and no iteration that depends on a tolerance, so the same points always give
the same projection. A very large τ
is the model's way of saying "still growing steadily": the curve is then practically a straight
line through the origin.

The projection is ``views(14)``, never less than the latest count (views only ever go up). It needs
at least three points spanning 12 hours; before that there is nothing sensible to say. At most
``MAX_FIT_POINTS`` points enter the fit (the last one of each equal time bucket), which keeps a
page with many boosts fast without changing the shape of the curve; the order page passes the
series its selector already downsampled in SQL (``orders.selectors.chart_series``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SECONDS_PER_DAY = 86400
WINDOW_DAYS = 14

MIN_POINTS = 3
MIN_SPAN_DAYS = 0.5
MAX_FIT_POINTS = 16
TAU_MIN_DAYS = 1 / 24
TAU_MAX_DAYS = 1000.0
TAU_GRID = 9
GOLDEN_STEPS = 12

Point = tuple[float, int]


@dataclass(frozen=True)
class Projection:
    """views(t) = plateau · (1 − e^(−t/tau_days)), fitted to ``points_used`` points."""

    views: int
    horizon_days: float
    plateau: float
    tau_days: float
    points_used: int
    latest_day: float
    latest_views: int

    def at(self, day: float) -> float:
        return self.plateau * -math.expm1(-day / self.tau_days)


def project_views(
    points: Sequence[Point], *, horizon_days: float = WINDOW_DAYS
) -> Projection | None:
    """The views expected at ``horizon_days`` from the trajectory so far; None with too little data.

    Points before the publish instant or after the horizon are ignored.
    """
    usable = sorted((day, views) for day, views in points if 0 < day <= horizon_days)
    if len(usable) < MIN_POINTS or usable[-1][0] - usable[0][0] < MIN_SPAN_DAYS:
        return None
    latest_day, latest_views = usable[-1]
    fit = _thin(usable, MAX_FIT_POINTS)
    tau = _best_tau(fit)
    plateau = _plateau(fit, tau)
    model = plateau * -math.expm1(-horizon_days / tau)
    return Projection(
        views=max(latest_views, round(model)),
        horizon_days=horizon_days,
        plateau=plateau,
        tau_days=tau,
        points_used=len(fit),
        latest_day=latest_day,
        latest_views=latest_views,
    )


def _thin(points: list[Point], limit: int) -> list[Point]:
    """At most ``limit`` points: the last one of each of ``limit`` equal time buckets."""
    if len(points) <= limit:
        return points
    end = points[-1][0]
    buckets: dict[int, Point] = {}
    for day, views in points:
        buckets[min(limit - 1, int(day / end * limit))] = (day, views)
    return [buckets[k] for k in sorted(buckets)]


def _fit_terms(points: list[Point], tau: float) -> tuple[float, float]:
    rate, expm1 = -1.0 / tau, math.expm1
    gy = gg = 0.0
    for day, views in points:
        g = -expm1(day * rate)
        gy += g * views
        gg += g * g
    return gy, gg


def _plateau(points: list[Point], tau: float) -> float:
    gy, gg = _fit_terms(points, tau)
    return gy / gg if gg else 0.0


def _explained(points: list[Point], log_tau: float) -> float:
    """Σy² − SSE(τ) = (Σ g·y)² / Σ g²: maximising it minimises the squared error."""
    gy, gg = _fit_terms(points, math.exp(log_tau))
    return gy * gy / gg if gg else 0.0


def _best_tau(points: list[Point]) -> float:
    low, high = math.log(TAU_MIN_DAYS), math.log(TAU_MAX_DAYS)
    step = (high - low) / (TAU_GRID - 1)
    grid = [low + k * step for k in range(TAU_GRID)]
    scores = [_explained(points, x) for x in grid]
    best = max(range(TAU_GRID), key=lambda k: (scores[k], -k))  # ties: the smallest τ
    a, b = grid[max(0, best - 1)], grid[min(TAU_GRID - 1, best + 1)]
    ratio = (math.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = _explained(points, c), _explained(points, d)
    for _step in range(GOLDEN_STEPS):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = _explained(points, c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = _explained(points, d)
    candidates = [(scores[best], grid[best]), (fc, c), (fd, d)]
    return math.exp(max(candidates, key=lambda pair: pair[0])[1])
