"""kernel.display: one formatter per kind of number."""

from decimal import Decimal

import pytest

from kernel.display import exact_yuan, yuan


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("5500.000000"), "¥5,500.00"),
        (Decimal("1131.634567"), "¥1,131.634567"),
        (Decimal("550.0000"), "¥550.00"),
        (Decimal("0.5"), "¥0.50"),
        (Decimal("-1234.5670"), "\u2212¥1,234.567"),
        (None, ""),
    ],
)
def test_exact_yuan_keeps_every_significant_place_and_at_least_two(amount, shown):
    assert exact_yuan(amount) == shown


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("189000"), "¥189,000.00"),
        (Decimal("1131.635"), "¥1,131.64"),
        (Decimal("-5"), "\u2212¥5.00"),
        (Decimal("-0.004"), "¥0.00"),
        (None, ""),
    ],
)
def test_yuan_rounds_half_up_to_the_fen(amount, shown):
    assert yuan(amount) == shown
