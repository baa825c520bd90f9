"""A boost's progress drawn for the client: the day-14 projection and the views chart (DESIGN §5).

Pure: no database and no models. The caller passes a boost's view snapshots as
``(days since publish, views)`` points; everything here is arithmetic and string building, so it is
deterministic and testable in microseconds.

The projection (``orders.projection``, shared with the staff book page) is drawn from the latest
point to the window end.

Where the whole fee comes back is ``orders.pricing.whole_fee_threshold``; the chart only draws the
line it is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

from orders.projection import WINDOW_DAYS, Point, Projection

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
    return LEFT + (WIDTH - LEFT - RIGHT) / window_days * max(0.0, min(day, window_days))


def _y(views: float, axis: Axis) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) / axis.top * (axis.top - max(0.0, min(views, axis.top)))


def _short(views: float) -> str:
    return f"{round(views):,}"


def _n(value: float) -> str:
    """A coordinate to one decimal, without a trailing ``.0``: the page carries many of them."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _points(curve: Sequence[tuple[float, float]], axis: Axis, window_days: float) -> str:
    """``x,y`` pairs as ``_x``, ``_y`` and ``_n`` write them, in one pass (a page has thousands)."""
    x_scale = (WIDTH - LEFT - RIGHT) / window_days
    y_scale = (HEIGHT - TOP - BOTTOM) / axis.top
    pairs = " ".join(
        f"{LEFT + x_scale * max(0.0, min(day, window_days)):.1f},"
        f"{TOP + y_scale * (axis.top - max(0.0, min(views, axis.top))):.1f}"
        for day, views in curve
    )
    return (pairs + " ").replace(".0,", ",").replace(".0 ", " ")[:-1]


def _days_id(window_days: float) -> str:
    return f"chart-days-{int(window_days)}"


def chart_defs(window_days: float = WINDOW_DAYS) -> str:
    """What every chart of a page shares, as hidden SVG to put once on the page: the days axis.

    Each ``progress_chart`` refers to its day numbers and its label (``<use>``), so a page of fifty
    charts carries them once; each ``use`` has the class the stylesheet sizes and places.
    """
    days = "".join(
        f'<text x="{_n(_x(day, window_days))}">{day}</text>'
        for day in range(0, int(window_days) + 1, 2)
    )
    label = escape(_("days since publish"))
    name = _days_id(window_days)
    return (
        '<svg hidden="" aria-hidden="true" xmlns="http://www.w3.org/2000/svg"><defs>'
        f'<g id="{name}" text-anchor="middle" transform="translate(0 {HEIGHT - BOTTOM + 16})">'
        f"{days}</g>"
        f'<text id="{name}-label" x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">{label}'
        "</text></defs></svg>"
    )


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
    today's position. Returns markup with every text escaped. The markup is kept small (an order
    page carries one chart per line): styles come from the page's stylesheet by class, the grid is
    one path, tick labels share their position and anchor through a group, and the days axis is
    the page's one copy from ``chart_defs``.
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
    ticks = range(0, axis.top + 1, axis.step)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        '<path class="grid" d="'
        + "".join(f"M{LEFT} {_n(_y(tick, axis))}H{WIDTH - RIGHT}" for tick in ticks)
        + '"/>',
        f'<g class="tick" text-anchor="end" transform="translate({LEFT - 6} 4)">'
        + "".join(f'<text y="{_n(_y(tick, axis))}">{escape(_short(tick))}</text>' for tick in ticks)
        + "</g>",
        # The days axis is the same on every chart: drawn once per page by ``chart_defs``. Its
        # text takes fill and size from the ``use`` (they inherit into the copy).
        f'<use class="tick" href="#{_days_id(window_days)}"/>'
        f'<use class="axis-label" href="#{_days_id(window_days)}-label"/>',
    ]
    if now_day is not None and 0 <= now_day <= window_days:
        x = _n(_x(now_day, window_days))
        now_label = _("now")
        parts.append(
            f'<line class="now" x1="{x}" x2="{x}" y1="{TOP}" y2="{HEIGHT - BOTTOM}"/>'
            f'<text class="now-label" x="{_n(_x(now_day, window_days) + 4)}" y="{TOP + 10}">'
            f"{escape(now_label)}</text>"
        )
    if whole_fee_views:
        y = _n(_y(whole_fee_views, axis))
        parts.append(f'<line class="cap" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>')
    y_expected = _y(expected_views, axis)
    label = _("expected %(views)s") % {"views": _short(expected_views)}
    parts.append(
        f'<line class="expected" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y_expected)}" '
        f'y2="{_n(y_expected)}"/>'
        f'<text class="expected-label" x="{LEFT + 6}" y="{_n(y_expected - 6)}">{escape(label)}'
        "</text>"
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
            f'<polyline class="projection" points="{_points(curve, axis, window_days)}"/>'
            f'<circle class="projection-end" cx="{_n(_x(window_days, window_days))}" '
            f'cy="{_n(_y(projection.views, axis))}" r="3.5"/>'
        )
    if shown:
        last_day, last_views = shown[-1]
        parts.append(
            f'<polyline class="observed" points="{_points(shown, axis, window_days)}"/>'
            f'<circle class="observed-end" cx="{_n(_x(last_day, window_days))}" '
            f'cy="{_n(_y(last_views, axis))}" r="4"/>'
        )
    else:
        empty = _("No view data yet")
        parts.append(
            f'<text class="empty" x="{_n((LEFT + WIDTH - RIGHT) / 2)}" '
            f'y="{_n((TOP + HEIGHT - BOTTOM) / 2)}" text-anchor="middle">'
            f"{escape(empty)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
