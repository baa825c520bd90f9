"""Compensation formula, cap and rounding (DESIGN.md §3, §6)."""

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlements.calculations import (
    FORMULA_VERSION,
    CompensationExplanation,
    compensation,
    explain_compensation,
)

P = Decimal("10000.00")  # fixed price
F = Decimal("1000.00")  # boost fee: premium ratio 10 %


def test_design_example_owes_550_at_cpm_110_without_cap():
    explanation = explain_compensation(100_000, 95_000, P, F)

    assert explanation == CompensationExplanation(
        expected_views=100_000,
        actual_views=95_000,
        fixed_price=P,
        boost_fee=F,
        shortfall_views=5_000,
        expected_cpm=Decimal("110.0000"),
        raw_amount=Decimal("550.000000"),
        cap_applied=False,
        amount=Decimal("550.00"),
        cap_threshold_share=Decimal("0.0909"),
        formula_version=FORMULA_VERSION,
    )
    assert FORMULA_VERSION == "v1"
    assert compensation(100_000, 95_000, P, F) == Decimal("550.00")


def test_describe_fills_in_the_formula():
    assert (
        explain_compensation(100_000, 95_000, P, F).describe()
        == "(100,000 − 95,000)/1000 × ¥110.00 = ¥550.00; cap ¥1,000.00"
    )


def test_describe_says_when_the_cap_applied():
    assert (
        explain_compensation(100_000, 0, P, F).describe()
        == "(100,000 − 0)/1000 × ¥110.00 = ¥11,000.00; cap ¥1,000.00 applied → ¥1,000.00"
    )


def test_describe_says_nothing_owed_when_expectation_met():
    assert (
        explain_compensation(90_000, 95_000, P, F).describe()
        == "95,000 ≥ expected 90,000: nothing owed"
    )


def test_nothing_owed_when_actual_equals_expected():
    explanation = explain_compensation(100_000, 100_000, P, F)

    assert explanation.amount == Decimal("0.00")
    assert str(explanation.amount) == "0.00"
    assert explanation.shortfall_views == 0
    assert explanation.raw_amount == 0
    assert not explanation.cap_applied


def test_nothing_owed_when_actual_exceeds_expected():
    explanation = explain_compensation(100_000, 250_000, P, F)

    assert explanation.amount == Decimal("0.00")
    assert explanation.shortfall_views == 0
    assert not explanation.cap_applied


def test_one_view_short_owes_one_view_at_expected_cpm():
    # 1 × 11,000 / 100,000 = 0.11
    assert compensation(100_000, 99_999, P, F) == Decimal("0.11")


def test_no_views_at_all_refunds_the_whole_fee_through_the_cap():
    explanation = explain_compensation(100_000, 0, P, F)

    assert explanation.raw_amount == Decimal("11000.000000")
    assert explanation.cap_applied
    assert explanation.amount == F


def test_raw_exactly_equal_to_fee_is_not_capped():
    # r = 1000 / 9000; shortfall 10,000 × 10,000 / 100,000 = 1,000.00 = F exactly.
    explanation = explain_compensation(100_000, 90_000, Decimal("9000.00"), F)

    assert explanation.raw_amount == Decimal("1000.000000")
    assert not explanation.cap_applied
    assert explanation.amount == F


def test_one_view_past_the_exact_fee_is_capped():
    explanation = explain_compensation(100_000, 89_999, Decimal("9000.00"), F)

    assert explanation.raw_amount == Decimal("1000.100000")
    assert explanation.cap_applied
    assert explanation.amount == F


def test_cap_binds_once_shortfall_share_exceeds_fee_share_of_price_plus_fee():
    # r = 10 %: the cap binds above F / (P + F) = 1/11 ≈ 9.09 % shortfall.
    below = explain_compensation(100_000, 91_000, P, F)  # 9.0 % short
    above = explain_compensation(100_000, 90_900, P, F)  # 9.1 % short

    assert below.cap_threshold_share == above.cap_threshold_share == Decimal("0.0909")
    assert not below.cap_applied
    assert below.amount == Decimal("990.00")
    assert above.raw_amount == Decimal("1001.000000")
    assert above.cap_applied
    assert above.amount == F


@pytest.mark.parametrize(
    ("expected", "actual", "price", "fee", "raw", "amount"),
    [
        # raw = 1 × (4.00 + 1.00) / 1000 = 0.005 exactly; banker's rounding would give 0.00.
        pytest.param(1000, 999, "4.00", "1.00", "0.005000", "0.01", id="half-fen"),
        # raw = 1 × (20.00 + 5.00) / 1000 = 0.025 exactly; banker's rounding would give 0.02.
        pytest.param(1000, 999, "20.00", "5.00", "0.025000", "0.03", id="two-and-a-half-fen"),
        # raw = 9,999.20 / 2,000,000 = 0.0049996: shown as 0.005000, but owed 0.00, not 0.01.
        pytest.param(
            2_000_000, 1_999_999, "9000.00", "999.20", "0.005000", "0.00", id="once-not-from-shown"
        ),
        # raw = 1 × 0.05 / 100,000 = 0.0000005 exactly: shown as 0.000001, owed 0.00.
        pytest.param(100_000, 99_999, "0.04", "0.01", "0.000001", "0.00", id="raw-tie-sixth-place"),
    ],
)
def test_raw_amount_and_amount_round_half_up_from_the_exact_value(
    expected, actual, price, fee, raw, amount
):
    explanation = explain_compensation(expected, actual, Decimal(price), Decimal(fee))

    assert explanation.raw_amount == Decimal(raw)
    assert explanation.amount == Decimal(amount)
    assert not explanation.cap_applied


def test_amount_is_rounded_from_the_exact_value_not_from_the_rounded_cpm():
    # CPM = 100 × 1000 / 3000 = 33.333…; 2 × 33.33 would give 66.66, exact 2/3 × 100 is 66.67.
    explanation = explain_compensation(3000, 1000, Decimal("30.00"), Decimal("70.00"))

    assert explanation.expected_cpm == Decimal("33.3333")
    assert explanation.raw_amount == Decimal("66.666667")
    assert not explanation.cap_applied
    assert explanation.amount == Decimal("66.67")


def test_expected_cpm_tie_rounds_up_at_the_fourth_place():
    # CPM = 0.01 × 1000 / 64 = 0.15625 exactly: half-up 0.1563, banker's rounding 0.1562.
    assert explain_compensation(64, 64, Decimal("0.01"), Decimal("0.00")).expected_cpm == Decimal(
        "0.1563"
    )


def test_cap_threshold_share_tie_rounds_up_at_the_fourth_place():
    # F / (P + F) = 0.01 / 0.32 = 0.03125 exactly: half-up 0.0313, banker's rounding 0.0312.
    explanation = explain_compensation(1000, 0, Decimal("0.31"), Decimal("0.01"))

    assert explanation.cap_threshold_share == Decimal("0.0313")
    assert explanation.cap_applied
    assert explanation.amount == Decimal("0.01")


def test_nothing_to_price_reports_the_whole_share_as_threshold():
    explanation = explain_compensation(1000, 0, Decimal("0.00"), Decimal("0.00"))

    assert str(explanation.cap_threshold_share) == "1.0000"
    assert explanation.amount == Decimal("0.00")
    assert not explanation.cap_applied


def test_billion_views_and_hundred_million_yuan_are_exact():
    # raw = 5×10⁸ × 100,000,000.01 / 10⁹ = 50,000,000.005 exactly → 50,000,000.01 (floats lose it).
    explanation = explain_compensation(
        1_000_000_000, 500_000_000, Decimal("40000000.01"), Decimal("60000000.00")
    )

    assert explanation.raw_amount == Decimal("50000000.005000")
    assert explanation.amount == Decimal("50000000.01")
    assert not explanation.cap_applied
    assert explanation.expected_cpm == Decimal("100.0000")


def test_large_prices_are_formatted_with_thousands_separators():
    explanation = explain_compensation(
        1_000_000_000, 0, Decimal("100000000.00"), Decimal("50000000.00")
    )

    assert explanation.amount == Decimal("50000000.00")
    assert explanation.describe() == (
        "(1,000,000,000 − 0)/1000 × ¥150.00 = ¥150,000,000.00; "
        "cap ¥50,000,000.00 applied → ¥50,000,000.00"
    )


@pytest.mark.parametrize(
    ("expected_views", "actual_views", "fixed_price", "boost_fee", "message"),
    [
        (0, 0, P, F, "expected_views must be at least 1"),
        (-5, 0, P, F, "expected_views must be at least 1"),
        (100, -1, P, F, "actual_views must be at least 0"),
        (100.0, 0, P, F, "expected_views must be an int"),
        (True, 0, P, F, "expected_views must be an int"),
        (100, False, P, F, "actual_views must be an int"),
        (100, "5", P, F, "actual_views must be an int"),
        (100, 0, 10000.0, F, "fixed_price must be a Decimal"),
        (100, 0, P, 1000.0, "boost_fee must be a Decimal"),
        (100, 0, 10000, F, "fixed_price must be a Decimal"),
        (100, 0, Decimal("-0.01"), F, "fixed_price must not be negative"),
        (100, 0, P, Decimal("-1.00"), "boost_fee must not be negative"),
        (100, 0, Decimal("NaN"), F, "fixed_price must be a finite amount"),
        (100, 0, P, Decimal("Infinity"), "boost_fee must be a finite amount"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    expected_views, actual_views, fixed_price, boost_fee, message
):
    with pytest.raises(ValueError, match=message):
        compensation(expected_views, actual_views, fixed_price, boost_fee)


any_places = st.sampled_from([0, 1, 2, 3, 6]).flatmap(
    lambda places: st.decimals(min_value=0, max_value=10**8, places=places)
)


def _exact(value: Fraction, places: int) -> Decimal:
    """``value`` half-up to ``places``, from its exact value: the reference for every figure."""
    units = math.floor(abs(value) * 10**places + Fraction(1, 2))
    return Decimal(units).scaleb(-places)


@settings(database=None, max_examples=300)
@given(
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=0, max_value=2 * 10**9),
    any_places,
    any_places,
)
def test_every_figure_is_the_exact_value_rounded_half_up(expected, actual, fixed_price, fee):
    explanation = explain_compensation(expected, actual, fixed_price, fee)
    shortfall = max(0, expected - actual)
    total = Fraction(fixed_price) + Fraction(fee)
    raw = shortfall * total / expected

    assert explanation.expected_cpm == _exact(total * 1000 / expected, 4)
    assert explanation.raw_amount == _exact(raw, 6)
    assert explanation.cap_applied == (raw > Fraction(fee))
    assert explanation.amount == _exact(min(raw, Fraction(fee)), 2)
    assert explanation.cap_threshold_share == (
        _exact(Fraction(fee) / total, 4) if total else Decimal("1.0000")
    )
    assert explanation.raw_amount.as_tuple().exponent == -6


def _reference(expected_views, actual_views, fixed_price, boost_fee):
    """DESIGN §6 restated in 100-digit Decimal, independent of the module's Fraction maths."""
    if actual_views >= expected_views:
        return Decimal("0.00")
    with localcontext() as context:
        context.prec = 100
        raw = (expected_views - actual_views) * (fixed_price + boost_fee) / expected_views
        return min(raw, boost_fee).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


money = st.decimals(min_value=0, max_value=10**8, places=2)


@st.composite
def shortfall_cases(draw):
    expected_views = draw(st.integers(min_value=1, max_value=10**9))
    actual = st.integers(min_value=0, max_value=expected_views + expected_views // 10 + 1)
    low, high = sorted((draw(actual), draw(actual)))
    return expected_views, low, high, draw(money), draw(money)


@settings(database=None, max_examples=300)
@given(shortfall_cases())
def test_amount_is_capped_rounded_once_and_never_grows_with_views(case):
    expected_views, low, high, fixed_price, boost_fee = case
    amount_low = compensation(expected_views, low, fixed_price, boost_fee)
    amount_high = compensation(expected_views, high, fixed_price, boost_fee)

    assert Decimal("0.00") <= amount_low <= boost_fee
    assert amount_low == _reference(expected_views, low, fixed_price, boost_fee)
    assert amount_low.as_tuple().exponent == -2
    assert amount_high <= amount_low
