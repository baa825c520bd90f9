"""What the guarantee pays back: the actual views at or below which the whole fee is owed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kernel.money import half_up_int


@dataclass(frozen=True)
class WholeFeeThreshold:
    """At or below ``views`` actual views (``percent`` % of the expected), the whole fee is owed."""

    share: Fraction
    percent: int
    views: int


def whole_fee_threshold(
    expected_views: int, fixed_price: Decimal, boost_fee: Decimal
) -> WholeFeeThreshold | None:
    """Where the compensation cap starts to bind (DESIGN §6): A ≤ ⌊E·P/(P + F)⌋.

    Compensation is min((E − A)·(P + F)/E, F), so the whole fee comes back as soon as the actual
    views fall to E·P/(P + F): for a 10 % ratio about 91 % of E, a shortfall of only about 9 %.
    ``share`` is exact; ``percent`` is rounded half-up for display. None when no fee can be owed.
    """
    total = Fraction(fixed_price) + Fraction(boost_fee)
    if expected_views <= 0 or total <= 0 or boost_fee <= 0:
        return None
    share = Fraction(fixed_price) / total
    return WholeFeeThreshold(
        share=share, percent=half_up_int(share * 100), views=math.floor(expected_views * share)
    )
