"""The day-14 projection (orders.projection) and the progress chart (portal.charts): pure maths."""

import math
import random
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from orders import projection as projections
from orders.pricing import whole_fee_threshold
from orders.projection import Projection, project_views
from portal import charts
from portal.charts import progress_chart, views_axis


def saturating(plateau: float, tau: float, days: float, step_hours: int = 1):
    """Hourly points of views(t) = plateau · (1 − e^(−t/tau)), as whole views."""
    hours = int(days * 24)
    return [(h / 24, round(plateau * (1 - math.exp(-(h / 24) / tau)))) for h in range(1, hours + 1)]


# --- The cap in words ---------------------------------------------------------------------------


def test_whole_fee_threshold_for_a_ten_percent_premium_is_about_91_percent():
    threshold = whole_fee_threshold(20_000, Decimal("10000.00"), Decimal("1000.00"))
    assert threshold.percent == 91  # 1 − F/(P + F) = 10/11
    assert threshold.views == 18_181  # floor(20,000 × 10/11)


def test_whole_fee_threshold_follows_the_boost_own_ratio():
    assert whole_fee_threshold(10_000, Decimal("1000.00"), Decimal("500.00")).percent == 67
    assert whole_fee_threshold(10_000, Decimal("1000.00"), Decimal("230.00")).percent == 81


@pytest.mark.parametrize(("expected", "fee"), [(0, "100.00"), (1000, "0.00")])
def test_whole_fee_threshold_is_none_when_nothing_can_be_owed(expected, fee):
    assert whole_fee_threshold(expected, Decimal("1000.00"), Decimal(fee)) is None


# --- Projection ---------------------------------------------------------------------------------


def test_projection_recovers_a_saturating_curve():
    points = saturating(30_000, tau=3.0, days=4)
    projection = project_views(points)
    exact = 30_000 * (1 - math.exp(-14 / 3))
    assert projection.views == pytest.approx(exact, rel=0.005)
    assert projection.tau_days == pytest.approx(3.0, rel=0.02)
    assert projection.plateau == pytest.approx(30_000, rel=0.01)


def test_projection_of_steady_growth_is_close_to_a_straight_line():
    points = [(h / 24, 100 * h) for h in range(1, 73)]  # 2,400 views a day for three days
    projection = project_views(points)
    assert projection.views == pytest.approx(2_400 * 14, rel=0.01)


def test_projection_is_deterministic_and_ignores_point_order():
    rng = random.Random(7)
    points = [
        (day, int(views * rng.uniform(0.97, 1.03))) for day, views in saturating(25_000, 2.5, 5)
    ]
    first = project_views(points)
    shuffled = points[:]
    rng.shuffle(shuffled)
    assert project_views(points) == first
    assert project_views(shuffled) == first


def test_projection_never_falls_below_the_latest_count():
    # Flat for days, then one late jump: the fit undershoots the last point, views never go down.
    points = [(h / 24, 10_000) for h in range(1, 96)] + [(4.0, 14_000)]
    assert project_views(points).views >= 14_000


@pytest.mark.parametrize(
    "points",
    [
        [],
        [(0.5, 100), (1.0, 200)],  # two points
        [(0.1, 100), (0.2, 150), (0.3, 180)],  # spans less than 12 hours
    ],
)
def test_projection_needs_three_points_over_twelve_hours(points):
    assert project_views(points) is None


def test_projection_ignores_points_before_publish_and_after_the_window():
    points = saturating(20_000, 2.0, 3)
    noisy = [(-1.0, 50_000), (0.0, 99_999)] + points + [(15.0, 1)]
    assert project_views(noisy) == project_views(points)


def test_many_points_are_thinned_to_a_fixed_number_without_changing_the_answer():
    points = saturating(40_000, 4.0, 13.9)  # 333 hourly points
    projection = project_views(points)
    assert projection.points_used == projections.MAX_FIT_POINTS
    assert projection.views == pytest.approx(40_000 * (1 - math.exp(-14 / 4)), rel=0.005)


def test_all_zero_views_project_zero():
    assert project_views([(d / 4, 0) for d in range(1, 10)]).views == 0


def test_projection_curve_passes_through_the_origin():
    projection = project_views(saturating(30_000, 3.0, 4))
    assert projection.at(0) == 0
    assert projection.at(14) == pytest.approx(projection.views, abs=1)


# --- Chart ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("highest", "top", "step"),
    [(22_000, 25_000, 5_000), (26_000, 30_000, 10_000), (1_100, 1_500, 500), (0, 1000, 250)],
)
def test_views_axis_uses_round_steps(highest, top, step):
    assert views_axis(highest) == charts.Axis(top=top, step=step)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


# The page's shared axes declare the SVG namespace; a chart inline in HTML needs none.
NS = "{http://www.w3.org/2000/svg}"


def path_points(d: str) -> list[tuple[int, int]]:
    """The absolute points of a path written as ``M x y l dx dy dx dy …``."""
    head, _sep, tail = d[1:].partition("l")
    x, y = (int(n) for n in re.findall(r"-?\d+", head))
    steps = [int(n) for n in re.findall(r"-?\d+", tail)]
    points = [(x, y)]
    for dx, dy in zip(steps[::2], steps[1::2], strict=True):
        x, y = x + dx, y + dy
        points.append((x, y))
    return points


def paths(svg: ET.Element) -> dict[str, str]:
    return {p.get("class"): p.get("d") for p in svg.iter("path")}


def test_chart_draws_every_point_the_expected_line_and_the_projection():
    points = saturating(30_000, 3.0, 3)
    projection = project_views(points)
    svg = parse(
        progress_chart(
            points,
            expected_views=20_000,
            projection=projection,
            whole_fee_views=18_181,
            now_day=3.0,
        )
    )
    drawn = paths(svg)
    assert {"observed", "projection", "expected", "cap", "now"} <= set(drawn)
    assert len(path_points(drawn["observed"])) == len(points)
    assert len(path_points(drawn["projection"])) == charts.PROJECTION_STEPS + 1
    # The expected line sits at 20,000 on an axis that runs to 35,000 (the projection is ~29,700).
    axis = views_axis(projection.views * 1.05)
    assert charts.chart_axis(points, expected_views=20_000, projection=projection) == axis
    assert drawn["expected"] == f"M64 {round(charts._y(20_000, axis))}H622"
    # The observed points are where _x and _y put them, to the whole unit, with no drift along
    # the relative steps: the last at day 3 is x = left + 3/14 of the plot width.
    assert path_points(drawn["observed"]) == [
        (round(charts._x(day, 14)), round(charts._y(views, axis))) for day, views in points
    ]
    last_x = path_points(drawn["observed"])[-1][0]
    assert last_x == round(charts.LEFT + (640 - charts.LEFT - charts.RIGHT) * 3 / 14)


def test_chart_without_views_says_so_and_has_no_projection():
    svg = parse(progress_chart([], expected_views=20_000))
    texts = [t.text for t in svg.iter("text")]
    assert "No view data yet" in texts
    assert not {"observed", "projection"} & set(paths(svg))


def test_chart_leaves_out_points_outside_the_window():
    svg = parse(progress_chart([(-0.5, 10), (1, 100), (2, 200), (20, 999)], expected_views=1000))
    assert len(path_points(paths(svg)["observed"])) == 2


def test_projection_is_a_frozen_value():
    projection = Projection(100, 14, 200.0, 5.0, 3, 1.0, 50)
    with pytest.raises(AttributeError):
        projection.views = 1


def test_every_chart_uses_the_axes_the_page_draws_once():
    points = saturating(30_000, 3.0, 3)
    axis = charts.chart_axis(points, expected_views=20_000)
    defs = parse(charts.chart_defs([axis, axis]))
    shared = {element.get("id"): element for element in defs.iter() if element.get("id")}
    days = [t.text for t in shared["days-14"].iter(f"{NS}text")]
    assert days == [str(d) for d in range(0, 15, 2)]
    assert shared["days-14-label"].text == "days since publish"
    group = shared[f"y-{axis.top}-{axis.step}-14"]
    ticks = [t.text for t in group.iter(f"{NS}text")]
    assert ticks == [f"{v:,}" for v in range(0, axis.top + 1, axis.step)]
    assert [u.get("href") for u in group.iter(f"{NS}use")] == ["#days-14"]
    assert len(group.find(f"{NS}path").get("d").split("M")) - 1 == len(ticks)  # a line per tick
    svg = parse(progress_chart(points, expected_views=20_000))
    uses = [(use.get("class"), use.get("href")) for use in svg.iter("use")]
    assert uses == [("tick", f"#y-{axis.top}-{axis.step}-14"), ("axis-label", "#days-14-label")]


def test_chart_coordinates_are_whole_units():
    svg = progress_chart(saturating(30_000, 3.0, 13.9), expected_views=20_000)
    outside_title = svg.split("<title>")[0] + svg.split("</title>")[1]
    assert re.findall(r"\d+", outside_title) and not re.findall(r"\d\.\d", outside_title)
