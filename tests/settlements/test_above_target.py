"""A loss ratio above the target T is judged exactly, on every page that flags it. Pure."""

from decimal import Decimal

import pytest

from orders.pricing import PricingRules
from settlements.calibration import BandRow, Kupiec, ModelReport
from settlements.insights.book import BookDay
from settlements.insights.calibration_report import CalibrationData
from settlements.insights.figures import above_target
from settlements.insights.pages.book import book_table
from settlements.insights.pages.calibration import calibration_tables

T = Decimal("0.30")
# 3,000.01 / 10,000.00 = 0.300001: shown as 30.00 %, yet above T.
CASES = [
    (Decimal("3000.00"), Decimal("10000.00"), False),  # exactly T is not above it
    (Decimal("3000.01"), Decimal("10000.00"), True),
    (Decimal("2999.99"), Decimal("10000.00"), False),
    (Decimal("0.00"), Decimal("0.00"), False),  # no fees: no ratio
]


@pytest.mark.parametrize(("compensation", "fees", "above"), CASES)
def test_above_target_compares_the_exact_ratio(compensation, fees, above):
    assert above_target(compensation, fees, T) is above


def _day(compensation: Decimal, fees: Decimal) -> BookDay:
    zero = Decimal("0.00")
    return BookDay("2026-03-01", 0, zero, 0, zero, 0, zero, fees, compensation, None)


def test_the_book_flags_a_day_above_target_that_rounds_to_it():
    rows = book_table([_day(paid, fees) for paid, fees, _above in CASES], T).html_rows()
    assert [row["flagged"] for row in rows] == [above for _p, _f, above in CASES]


def test_the_calibration_bands_flag_a_band_above_target_that_rounds_to_it():
    bands = [BandRow("10-19", 1, fees, paid, None, None) for paid, fees, _above in CASES]
    kupiec = Kupiec(
        boosts=0, shortfalls=0, expected_rate=0.0, statistic=0.0, p_value=1.0, light="green"
    )
    report = ModelReport(model="v1", deciles=[], bands={"premium": bands}, kupiec=kupiec)
    data = CalibrationData(
        source="real", real_boosts=0, observations=[], reports={"v1": report}, rules=PricingRules()
    )
    rows = calibration_tables(data)["v1-premium"].html_rows()
    assert [row["flagged"] for row in rows] == [above for _p, _f, above in CASES]
