"""Compensation for a boost that fell short of its expected views (DESIGN.md §6).

    expected CPM     = (P + F) / (E / 1000)
    compensation raw = (E − A) · (P + F) / E
    compensation     = min(raw, F), rounded half-up to 0.01 once; 0 when A ≥ E

All arithmetic is exact, in integers: an amount is the ratio of two ints
(``Decimal.as_integer_ratio``) and each figure a quotient rounded by ``kernel.money.half_up_ratio``
(a sweep computes one per closing boost, and ``Fraction`` spent most of that in gcds). The only
rounding that decides money is the final ``ROUND_HALF_UP`` to the fen. The other rounded figures
on ``CompensationExplanation`` are for display and the settlement audit trail, never fed back
into the amount.

Pure rules: no Django models, no database (only ``gettext``, for the words of ``describe()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from kernel.display import grouped, yuan
from kernel.money import half_up_ratio

FORMULA_VERSION = "v1"
_WHOLE_SHARE = Decimal("1.0000")


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
        total, scale = _price_and_fee(self.fixed_price, self.boost_fee)
        per_view = self.expected_views * scale
        figures = {
            "expected": grouped(self.expected_views),
            "actual": grouped(self.actual_views),
            "cpm": yuan(half_up_ratio(1000 * total, per_view, 2)),
            "raw": yuan(half_up_ratio(self.shortfall_views * total, per_view, 2)),
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
    # P + F = total / scale and F = fee / fee_scale, so raw = shortfall · total / (E · scale).
    total, scale = _price_and_fee(fixed_price, boost_fee)
    fee, fee_scale = boost_fee.as_integer_ratio()
    raw, per_view = shortfall * total, expected_views * scale
    capped = raw * fee_scale > fee * per_view  # raw > F, cross-multiplied (denominators > 0)
    return CompensationExplanation(
        expected_views=expected_views,
        actual_views=actual_views,
        fixed_price=fixed_price,
        boost_fee=boost_fee,
        shortfall_views=shortfall,
        expected_cpm=half_up_ratio(1000 * total, per_view, 4),
        raw_amount=half_up_ratio(raw, per_view, 6),
        cap_applied=capped,
        amount=half_up_ratio(fee, fee_scale) if capped else half_up_ratio(raw, per_view),
        # With P + F = 0 nothing can ever be owed, so the cap never binds: report the share as 1.
        cap_threshold_share=half_up_ratio(fee * scale, fee_scale * total, 4)
        if total
        else _WHOLE_SHARE,
    )


def _price_and_fee(fixed_price: Decimal, boost_fee: Decimal) -> tuple[int, int]:
    """P + F exactly, as a numerator and a positive denominator."""
    price, price_scale = fixed_price.as_integer_ratio()
    fee, fee_scale = boost_fee.as_integer_ratio()
    if price_scale == fee_scale:
        return price + fee, price_scale
    return price * fee_scale + fee * price_scale, price_scale * fee_scale


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
