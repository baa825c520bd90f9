"""Server-side SVG bar charts: the geometry of grouped bars, ticks and a reference line.

Pure layout maths (no models, no queries); ``admin/insights/_chart.html`` draws what
``bar_chart`` computes as inline SVG, so the pages need no script and no CDN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kernel.display import yuan

from .tables import RATIO, ratio_percent


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | None]


@dataclass
class Chart:
    title: str
    width: int = 720
    height: int = 230
    bars: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    legend: list[dict[str, Any]] = field(default_factory=list)
    reference: dict[str, Any] | None = None
    plot: dict[str, float] = field(default_factory=dict)


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    kind: str,
    reference: Decimal | None = None,
    reference_label: str = "",
) -> Chart:
    """Grouped bars per category, with an optional reference line (the target T).

    ``kind`` is ``tables.RATIO`` or ``tables.MONEY``. Category labels are thinned out so they
    never overlap; with few bars each gets its value.
    """
    chart = Chart(title=title)
    left, right, top, bottom = 76, 70, 28, 36
    width, height = chart.width - left - right, chart.height - top - bottom
    chart.plot = {
        "x": left,
        "y": top,
        "width": width,
        "height": height,
        "bottom": top + height,
        "right": left + width,
    }
    values = [float(v) for s in series for v in s.values if v is not None]
    highest = _nice_ceiling(max([*values, float(reference or 0)], default=0))
    label_of = ratio_percent if kind == RATIO else yuan

    def y_of(value: float) -> float:
        return top + height - value / highest * height

    for i in range(5):
        tick = Decimal(str(highest * i / 4))
        text = ratio_percent(tick) if kind == RATIO else f"¥{tick:,.0f}"
        chart.ticks.append({"y": round(y_of(float(tick)), 1), "label": text})
    n = max(len(categories), 1)
    group = width / n
    bar = group * 0.8 / max(len(series), 1)
    widest = max((len(c) for c in categories), default=1) * 6 + 8  # about 6 px a character
    every = math.ceil(widest / group)
    show_values = len(categories) * len(series) <= 16
    # One series: bars above the reference turn red. Several: colours keep telling them apart.
    flag = reference is not None and len(series) == 1
    for i, category in enumerate(categories):
        if i % every == 0:
            chart.labels.append({"x": round(left + (i + 0.5) * group, 1), "text": category})
        for j, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            y = y_of(float(value))
            x = left + i * group + group * 0.1 + j * bar
            chart.bars.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "width": round(max(bar - 1, 1), 1),
                    "height": round(top + height - y, 1),
                    "style": "flag" if flag and value > reference else f"s{j}",
                    "title": f"{category} · {s.name}: {label_of(value)}",
                    "value": label_of(value) if show_values else "",
                    "center": round(x + bar / 2, 1),
                }
            )
    if reference is not None:
        chart.reference = {"y": round(y_of(float(reference)), 1), "label": reference_label}
    chart.legend = [
        {"name": s.name, "style": f"s{j}", "x": left + j * 190} for j, s in enumerate(series)
    ]
    return chart
