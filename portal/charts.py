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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

from orders.projection import WINDOW_DAYS, Point, Projection

# The chart's canvas and margins, in SVG user units.
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 18, 14, 34
# Segments of the projection's curve from the latest point to the window end: it is smooth.
PROJECTION_STEPS = 16


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
    """A coordinate in whole user units: a unit is 1/640 of the chart, and a page carries
    thousands of them."""
    return str(round(value))


def _path(curve: Sequence[tuple[float, float]], axis: Axis, window_days: float) -> str:
    """Path data through the points: the first absolute, then each step relative (``l``).

    The steps are between the rounded absolute positions, so no rounding error accumulates; a
    relative step is a few characters where an absolute pair is twice that.
    """
    x_scale = (WIDTH - LEFT - RIGHT) / window_days
    y_scale = (HEIGHT - TOP - BOTTOM) / axis.top
    at = [
        (
            round(LEFT + x_scale * max(0.0, min(day, window_days))),
            round(TOP + y_scale * (axis.top - max(0.0, min(views, axis.top)))),
        )
        for day, views in curve
    ]
    (x0, y0), steps = at[0], []
    for (x1, y1), (x2, y2) in zip(at, at[1:], strict=False):
        steps.append(f"{x2 - x1} {y2 - y1}")
    return (f"M{x0} {y0}" + ("l" + " ".join(steps) if steps else "")).replace(" -", "-")


def _days_id(window_days: float) -> str:
    return f"days-{int(window_days)}"


def _axes_id(axis: Axis, window_days: float) -> str:
    return f"y-{axis.top}-{axis.step}-{int(window_days)}"


# The grid's colour is written on the one shared copy: a page's stylesheet reaches a ``use``
# (whose fill and font inherit into the copy), not the inside of what it copies.
GRID_STROKE = "#eef0f4"


def chart_axis(
    points: Sequence[Point],
    *,
    expected_views: int,
    window_days: float = WINDOW_DAYS,
    projection: Projection | None = None,
) -> Axis:
    """The views axis of a chart: room for the expected views, every point and the projection."""
    highest = max(
        [expected_views * 1.1]
        + [views * 1.05 for day, views in points if 0 <= day <= window_days]
        + ([projection.views * 1.05] if projection else [])
    )
    return views_axis(highest)


def chart_defs(axes: Iterable[Axis] = (), window_days: float = WINDOW_DAYS) -> str:
    """What the charts of a page share, as hidden SVG to put once on the page.

    The days axis with its label, and for each views axis in ``axes`` its grid, its tick labels
    and the days (one group). A ``progress_chart`` refers to its axis group and to the label
    (``<use>``), so a page of fifty charts carries each once; each ``use`` has the class the
    stylesheet sizes and places (fill and font inherit into the copy).
    """
    days = "".join(
        f'<text x="{_n(_x(day, window_days))}">{day}</text>'
        for day in range(0, int(window_days) + 1, 2)
    )
    label = escape(_("days since publish"))
    name = _days_id(window_days)
    parts = [
        '<svg hidden="" aria-hidden="true" xmlns="http://www.w3.org/2000/svg"><defs>'
        f'<g id="{name}" text-anchor="middle" transform="translate(0 {HEIGHT - BOTTOM + 16})">'
        f"{days}</g>"
        f'<text id="{name}-label" x="{WIDTH - RIGHT}" y="{HEIGHT - 4}" text-anchor="end">{label}'
        "</text>"
    ]
    for axis in sorted(set(axes), key=lambda a: (a.top, a.step)):
        ticks = range(0, axis.top + 1, axis.step)
        parts.append(
            f'<g id="{_axes_id(axis, window_days)}"><path stroke="{GRID_STROKE}" d="'
            + "".join(f"M{LEFT} {_n(_y(tick, axis))}H{WIDTH - RIGHT}" for tick in ticks)
            + f'"/><g text-anchor="end" transform="translate({LEFT - 6} 4)">'
            + "".join(
                f'<text y="{_n(_y(tick, axis))}">{escape(_short(tick))}</text>' for tick in ticks
            )
            + f'</g><use href="#{name}"/></g>'
        )
    parts.append("</defs></svg>")
    return "".join(parts)


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
    page carries one chart per line): styles come from the page's stylesheet by class, the lines
    are paths in whole units with relative steps, and the grid, the tick labels and the days axis
    are the page's one copy of each axis from ``chart_defs`` (``chart_axis`` gives the axis).
    Inline in HTML, the ``svg`` element needs no namespace declaration.
    """
    shown = [(day, views) for day, views in points if 0 <= day <= window_days]
    axis = chart_axis(
        points, expected_views=expected_views, window_days=window_days, projection=projection
    )
    title = _("Views over the %(days)s-day window against the expected %(expected)s") % {
        "days": int(window_days),
        "expected": _short(expected_views),
    }
    days = _days_id(window_days)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img">',
        f"<title>{escape(title)}</title>",
        f'<use class="tick" href="#{_axes_id(axis, window_days)}"/>'
        f'<use class="axis-label" href="#{days}-label"/>',
    ]
    if now_day is not None and 0 <= now_day <= window_days:
        x = _n(_x(now_day, window_days))
        now_label = _("now")
        parts.append(
            f'<path class="now" d="M{x} {TOP}V{HEIGHT - BOTTOM}"/>'
            f'<text class="now-label" x="{_n(_x(now_day, window_days) + 4)}" y="{TOP + 10}">'
            f"{escape(now_label)}</text>"
        )
    if whole_fee_views:
        parts.append(
            f'<path class="cap" d="M{LEFT} {_n(_y(whole_fee_views, axis))}H{WIDTH - RIGHT}"/>'
        )
    y_expected = _y(expected_views, axis)
    label = _("expected %(views)s") % {"views": _short(expected_views)}
    parts.append(
        f'<path class="expected" d="M{LEFT} {_n(y_expected)}H{WIDTH - RIGHT}"/>'
        f'<text class="expected-label" x="{LEFT + 6}" y="{_n(y_expected - 6)}">{escape(label)}'
        "</text>"
    )
    if projection is not None and projection.latest_day < window_days:
        start = projection.latest_day
        curve = [(start, float(projection.latest_views))] + [
            (
                start + (window_days - start) * k / PROJECTION_STEPS,
                max(
                    projection.latest_views,
                    projection.at(start + (window_days - start) * k / PROJECTION_STEPS),
                ),
            )
            for k in range(1, PROJECTION_STEPS + 1)
        ]
        parts.append(
            f'<path class="projection" d="{_path(curve, axis, window_days)}"/>'
            f'<circle class="projection-end" cx="{_n(_x(window_days, window_days))}" '
            f'cy="{_n(_y(projection.views, axis))}" r="3.5"/>'
        )
    if shown:
        last_day, last_views = shown[-1]
        parts.append(
            f'<path class="observed" d="{_path(shown, axis, window_days)}"/>'
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
