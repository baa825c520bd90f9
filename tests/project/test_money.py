"""kernel.money: half-up rounding, exact, of decimals, fractions and integer quotients."""

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.money import half_up, half_up_ratio


@pytest.mark.parametrize(
    ("numerator", "denominator", "places", "rounded"),
    [
        (1, 8, 2, "0.13"),  # 0.125: half up, not to even
        (5, 1000, 2, "0.01"),
        (1, 64, 4, "0.0156"),  # 0.015625
        (-1, 8, 2, "-0.13"),  # half away from zero
        (1, -8, 2, "-0.13"),
        (-1, 1000, 2, "-0.00"),  # the sign of a negative value survives, as in half_up
        (0, -7, 2, "0.00"),
        (2, 3, 0, "1"),
        (123456789, 1, 2, "123456789.00"),
    ],
)
def test_half_up_ratio_rounds_the_exact_quotient_half_away_from_zero(
    numerator, denominator, places, rounded
):
    assert str(half_up_ratio(numerator, denominator, places)) == rounded


def test_half_up_ratio_refuses_a_zero_denominator():
    with pytest.raises(ZeroDivisionError):
        half_up_ratio(1, 0)


@settings(database=None, max_examples=300)
@given(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=1, max_value=10**12),
    st.integers(min_value=0, max_value=8),
)
def test_half_up_ratio_is_the_exact_quotient_rounded(numerator, denominator, places):
    exact = Fraction(numerator, denominator)
    units = math.floor(abs(exact) * 10**places + Fraction(1, 2))
    expected = Decimal(f"{'-' if exact < 0 else ''}{units}").scaleb(-places)

    for found in (half_up_ratio(numerator, denominator, places), half_up(exact, places)):
        assert (found, str(found)) == (expected, str(expected))
