"""How numbers read on every screen and export: one formatter per kind of number.

Money and counts are grouped by thousands in every language: Django's zh-hans number format has
no thousands separator, and "¥189000.00" next to "¥1,000.00" in the same table reads badly.
A negative amount always carries the minus sign U+2212 before the currency sign.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .money import half_up

MINUS = "\u2212"


def yuan(amount: Decimal | None) -> str:
    """``Decimal("189000")`` → ``"¥189,000.00"``; negative → ``"−¥5.00"``; None → ``""``."""
    if amount is None:
        return ""
    rounded = half_up(amount)
    sign = MINUS if rounded < 0 else ""
    return f"{sign}¥{abs(rounded):,}"


def signed_yuan(amount: Decimal) -> str:
    """A ledger amount with its sign always shown: ``"+¥1,000.00"`` or ``"−¥1,000.00"``."""
    return f"{MINUS if amount < 0 else '+'}{yuan(abs(amount))}"


def grouped(count: int | None) -> str:
    """A count of views: ``20000`` → ``"20,000"``; None → ``""``."""
    return "" if count is None else f"{count:,}"


def percent(ratio: Decimal | Fraction | str | None, places: int = 0) -> str:
    """A ratio such as ``Decimal("0.23")`` as ``"23 %"`` (half-up); None → ``""``."""
    if ratio is None:
        return ""
    value = Fraction(Decimal(ratio)) if isinstance(ratio, str) else Fraction(ratio)
    return f"{half_up(value * 100, places)} %"
