"""Compensation for a boost that fell short of its expected views (DESIGN.md §6).

    expected CPM     = (P + F) / (E / 1000)
    compensation raw = (E − A) · (P + F) / E
    compensation     = min(raw, F), rounded half-up to 0.01 once; 0 when A ≥ E

All arithmetic is exact (``fractions.Fraction``); the only rounding that decides money is the
final ``ROUND_HALF_UP`` to the fen. The other rounded figures on ``CompensationExplanation`` are
for display and the settlement audit trail, never fed back into the amount.

Pure rules: no Django models, no database (only ``gettext``, for the words of ``describe()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext

from kernel.display import grouped, yuan
from kernel.money import half_up

FORMULA_VERSION = "v1"


@dataclass(frozen=True)
class CompensationExplanation:
    """Every input and intermediate figure of one compensation, as stored on a settlement.

    ``amount`` is the only figure that decides money. ``expected_cpm`` (4 dp), ``raw_amount`` (6 dp,
    before the cap) and ``cap_threshold_share`` (4 dp) are rounded half-up for display and audit.
    ``cap_applied`` compares the exact raw amount with the fee, so a raw amount equal to the fee is
    not "capped".
    """

    expected_views: int
    actual_views: int
    fixed_price: Decimal
    boost_fee: Decimal
    shortfall_views: int
    expected_cpm: Decimal
    raw_amount: Decimal
    cap_applied: bool
    amount: Decimal
    cap_threshold_share: Decimal
    formula_version: str = FORMULA_VERSION

    def describe(self) -> str:
        """The formula filled in, for operators and clients.

        E.g. ``(100,000 − 95,000)/1000 × ¥110.00 = ¥550.00; cap ¥1,000.00``.
        """
        if self.shortfall_views == 0:
            return gettext("%(actual)s ≥ expected %(expected)s: nothing owed") % {
                "actual": grouped(self.actual_views),
                "expected": grouped(self.expected_views),
            }
        cpm = _expected_cpm(self.expected_views, self.fixed_price, self.boost_fee)
        raw = _raw(self.shortfall_views, self.expected_views, self.fixed_price, self.boost_fee)
        figures = {
            "expected": grouped(self.expected_views),
            "actual": grouped(self.actual_views),
            "cpm": yuan(half_up(cpm, 2)),
            "raw": yuan(half_up(raw, 2)),
            "fee": yuan(self.boost_fee),
            "amount": yuan(self.amount),
        }
        if self.cap_applied:
            template = gettext(
                "(%(expected)s − %(actual)s)/1000 × %(cpm)s = %(raw)s; "
                "cap %(fee)s applied → %(amount)s"
            )
        else:
            template = gettext("(%(expected)s − %(actual)s)/1000 × %(cpm)s = %(raw)s; cap %(fee)s")
        return template % figures


def compensation(
    expected_views: int, actual_views: int, fixed_price: Decimal, boost_fee: Decimal
) -> Decimal:
    """Compensation owed, in CNY to the fen (DESIGN.md §6)."""
    return explain_compensation(expected_views, actual_views, fixed_price, boost_fee).amount


def explain_compensation(
    expected_views: int, actual_views: int, fixed_price: Decimal, boost_fee: Decimal
) -> CompensationExplanation:
    """Compute the compensation and every figure a settlement records to explain it later."""
    _check_views("expected_views", expected_views, minimum=1)
    _check_views("actual_views", actual_views, minimum=0)
    _check_money("fixed_price", fixed_price)
    _check_money("boost_fee", boost_fee)

    shortfall = max(0, expected_views - actual_views)
    raw = _raw(shortfall, expected_views, fixed_price, boost_fee)
    fee = Fraction(boost_fee)
    price_and_fee = Fraction(fixed_price) + fee
    # With P + F = 0 nothing can ever be owed, so the cap never binds: report the share as 1.
    threshold = fee / price_and_fee if price_and_fee else Fraction(1)
    return CompensationExplanation(
        expected_views=expected_views,
        actual_views=actual_views,
        fixed_price=fixed_price,
        boost_fee=boost_fee,
        shortfall_views=shortfall,
        expected_cpm=half_up(_expected_cpm(expected_views, fixed_price, boost_fee), 4),
        raw_amount=half_up(raw, 6),
        cap_applied=raw > fee,
        amount=half_up(min(raw, fee), 2),
        cap_threshold_share=half_up(threshold, 4),
    )


def _expected_cpm(expected_views: int, fixed_price: Decimal, boost_fee: Decimal) -> Fraction:
    return (Fraction(fixed_price) + Fraction(boost_fee)) * 1000 / expected_views


def _raw(shortfall: int, expected_views: int, fixed_price: Decimal, boost_fee: Decimal) -> Fraction:
    return shortfall * (Fraction(fixed_price) + Fraction(boost_fee)) / expected_views


def _check_views(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


def _check_money(name: str, value: object) -> None:
    if not isinstance(value, Decimal):
        raise ValueError(
            f"{name} must be a Decimal (never a float), got {type(value).__name__}: {value!r}"
        )
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount, got {value}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
