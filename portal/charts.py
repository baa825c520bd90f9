"""A boost's progress drawn for the client: the day-14 projection and the views chart (DESIGN §5).

Pure: no database and no models. The caller passes a boost's view snapshots as
``(days since publish, views)`` points; everything here is arithmetic and string building, so it is
deterministic and testable in microseconds.

The projection
--------------
A video's views accumulate fast in its first days and then level off, so the trajectory so far is
fitted to a saturating exponential anchored at the publish instant (no views yet at t = 0)::

    views(t) = V∞ · (1 − e^(−t/τ))

V∞ is where the views level off and τ (days) how fast they get there. For a fixed τ the
least-squares V∞ has a closed form, ``V∞(τ) = Σ g_i·y_i / Σ g_i²`` with ``g_i = 1 − e^(−t_i/τ)``, so
the fit is a one-dimensional search over τ: a fixed log-spaced grid from 1 hour to 1,000 days, then
a fixed number of golden-section steps around the best grid point. No randomness and no iteration
that depends on a tolerance, so the same points always give the same projection. A very large τ
is the model's way of saying "still growing steadily": the curve is then practically a straight
line through the origin.

The projection is ``views(14)``, never less than the latest count (views only ever go up). It needs
at least three points spanning 12 hours; before that there is nothing sensible to say. At most
``MAX_FIT_POINTS`` points enter the fit (the last one of each equal time bucket), which keeps a
page with many boosts fast without changing the shape of the curve.

Where the whole fee comes back is ``orders.pricing.whole_fee_threshold``; the chart only draws the
line it is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from django.utils.translation import gettext as _

SECONDS_PER_DAY = 86400
WINDOW_DAYS = 14

MIN_POINTS = 3
MIN_SPAN_DAYS = 0.5
MAX_FIT_POINTS = 60
TAU_MIN_DAYS = 1 / 24
TAU_MAX_DAYS = 1000.0
TAU_GRID = 97
GOLDEN_STEPS = 40

Point = tuple[float, int]


def days_since(start: datetime, observations: Sequence[tuple[datetime, int]]) -> list[Point]:
    """``(observed_at, views)`` pairs as ``(days since start, views)``, oldest first."""
    return sorted(
        ((at - start).total_seconds() / SECONDS_PER_DAY, views) for at, views in observations
    )


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
    gy = gg = 0.0
    for day, views in points:
        g = -math.expm1(-day / tau)
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


# The chart's canvas and margins, in SVG user units.
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 18, 14, 34


@dataclass(frozen=True)
class Axis:
    """A views axis from 0 to ``top`` with a tick every ``step`` views."""

    top: int
    step: int


def views_axis(highest: float) -> Axis:
    """A y-axis from 0 to a round number just above ``highest``, in 1-2-5 steps, at most 6 ticks."""
    if highest <= 0:
        return Axis(top=1000, step=250)
    raw = highest / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return Axis(top=step * math.ceil(highest / step), step=step)


def _x(day: float, window_days: float) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * max(0.0, min(day, window_days)) / window_days


def _y(views: float, axis: Axis) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - max(0.0, min(views, axis.top)) / axis.top)


def _short(views: float) -> str:
    return f"{round(views):,}"


def progress_chart(
    points: Sequence[Point],
    *,
    expected_views: int,
    window_days: float = WINDOW_DAYS,
    projection: Projection | None = None,
    whole_fee_views: int | None = None,
    now_day: float | None = None,
) -> str:
    """An inline SVG of views over the 14-day window against the expected line.

    Draws the observed views (solid), the expected views (dashed), where the whole fee would come
    back (dotted), the projection from the latest point to the window end (dashed, lighter) and
    today's position. Returns markup with every text escaped.
    """
    shown = [(day, views) for day, views in points if 0 <= day <= window_days]
    highest = max(
        [expected_views * 1.1]
        + [views * 1.05 for _day, views in shown]
        + ([projection.views * 1.05] if projection else [])
    )
    axis = views_axis(highest)
    title = _("Views over the %(days)s-day window against the expected %(expected)s") % {
        "days": int(window_days),
        "expected": _short(expected_views),
    }
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, axis.top + 1, axis.step):
        y = _y(tick, axis)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_short(tick))}</text>"
        )
    for day in range(0, int(window_days) + 1, 2):
        x = _x(day, window_days)
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{day}</text>"
        )
    axis_label = escape(_("days since publish"))
    parts.append(
        f'<text class="axis-label" x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">'
        f"{axis_label}</text>"
    )
    if now_day is not None and 0 <= now_day <= window_days:
        x = _x(now_day, window_days)
        now_label = escape(_("now"))
        parts.append(
            f'<line class="now" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>'
            f'<text class="now-label" x="{x + 4:.1f}" y="{TOP + 10}">{now_label}</text>'
        )
    if whole_fee_views:
        y = _y(whole_fee_views, axis)
        parts.append(
            f'<line class="cap" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
    y = _y(expected_views, axis)
    label = _("expected %(views)s") % {"views": _short(expected_views)}
    parts.append(
        f'<line class="expected" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        f'<text class="expected-label" x="{LEFT + 6}" y="{y - 6:.1f}">{escape(label)}</text>'
    )
    if projection is not None and projection.latest_day < window_days:
        steps = 24
        start = projection.latest_day
        curve = [(start, float(projection.latest_views))] + [
            (
                start + (window_days - start) * k / steps,
                max(
                    projection.latest_views,
                    projection.at(start + (window_days - start) * k / steps),
                ),
            )
            for k in range(1, steps + 1)
        ]
        parts.append(
            '<polyline class="projection" points="'
            + " ".join(f"{_x(d, window_days):.1f},{_y(v, axis):.1f}" for d, v in curve)
            + '"/>'
        )
        end_y = _y(projection.views, axis)
        parts.append(
            f'<circle class="projection-end" cx="{_x(window_days, window_days):.1f}" '
            f'cy="{end_y:.1f}" r="3.5"/>'
        )
    if shown:
        parts.append(
            '<polyline class="observed" points="'
            + " ".join(f"{_x(d, window_days):.1f},{_y(v, axis):.1f}" for d, v in shown)
            + '"/>'
        )
        last_day, last_views = shown[-1]
        parts.append(
            f'<circle class="observed-end" cx="{_x(last_day, window_days):.1f}" '
            f'cy="{_y(last_views, axis):.1f}" r="4"/>'
        )
    else:
        empty = escape(_("No view data yet"))
        parts.append(
            f'<text class="empty" x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" '
            f'y="{(TOP + HEIGHT - BOTTOM) / 2:.1f}" text-anchor="middle">'
            f"{empty}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
