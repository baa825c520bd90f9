"""Money and ratio rounding: one rule, ``ROUND_HALF_UP``, applied once at the end (DESIGN §3)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def half_up(value: Decimal | Fraction | int, places: int = 2) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, exactly (no float).

    A ``Fraction`` is rounded from its exact value, so ``Fraction(1, 8)`` to 2 places is 0.13.
    """
    if isinstance(value, Fraction):
        return half_up_ratio(value.numerator, value.denominator, places)
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def half_up_ratio(numerator: int, denominator: int, places: int = 2) -> Decimal:
    """``numerator / denominator`` rounded half away from zero to ``places`` decimals.

    Integer arithmetic only: the exact rounding of ``half_up(Fraction(numerator, denominator))``
    without a ``Fraction``'s normalising gcd, for hot paths that round many quotients.
    """
    if denominator == 0:
        raise ZeroDivisionError("half_up_ratio has a zero denominator")
    magnitude = abs(denominator)
    units, remainder = divmod(abs(numerator) * 10**places, magnitude)
    units += 2 * remainder >= magnitude
    rounded = Decimal(units).scaleb(-places)
    negative = numerator < 0 < denominator or denominator < 0 < numerator
    return rounded.copy_negate() if negative else rounded


def half_up_int(value: Fraction | Decimal) -> int:
    """``value`` rounded half away from zero to a whole number."""
    return int(half_up(Fraction(value), 0))


def to_fen(value: Decimal | None) -> Decimal:
    """A stored or summed amount with exactly two places (SQLite drops the scale of sums)."""
    return (value or ZERO).quantize(CENT)
