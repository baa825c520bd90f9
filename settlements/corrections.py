"""The band an adjustment must keep a settlement in (DESIGN §8): pure rules, no models.

The net of a settlement is its amount plus its approved adjustments. Approved adjustments keep it
within [0, F], F being the boost fee: the platform never pays back more than the fee, and never
takes back more than it paid. The one band holds for every kind: a compensation (0 ≤ amount ≤ F)
may move either way, a refund (amount = F) only down, a ``none`` settlement (amount 0) only up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from kernel.display import signed_yuan, yuan
from kernel.money import ZERO


@dataclass(frozen=True)
class NetChange:
    """A settlement's net before and after one more adjustment, and the band it must stay in."""

    amount: Decimal  # the settlement's own amount, never changed
    fee: Decimal  # F, the top of the band
    before: Decimal  # amount + the adjustments approved so far
    adjustment: Decimal

    @property
    def after(self) -> Decimal:
        return self.before + self.adjustment

    @property
    def within_band(self) -> bool:
        return ZERO <= self.after <= self.fee


def net_change(
    *, amount: Decimal, fee: Decimal, approved: Iterable[Decimal], adjustment: Decimal
) -> NetChange:
    """The net of a settlement of ``amount`` with ``approved`` adjustments, then ``adjustment``."""
    return NetChange(
        amount=amount, fee=fee, before=amount + sum(approved, ZERO), adjustment=adjustment
    )


def band_refusal(change: NetChange) -> str:
    """Why ``change`` leaves the band [0, F], with the largest adjustment allowed; "" if it fits."""
    values = {
        "adjustment": signed_yuan(change.adjustment),
        "before": yuan(change.before),
        "after": yuan(change.after),
        "fee": yuan(change.fee),
    }
    if change.after > change.fee:
        return gettext(
            "An adjustment of %(adjustment)s would take the net of this settlement from "
            "%(before)s to %(after)s, above its boost fee of %(fee)s; at most %(most)s can be "
            "added."
        ) % {**values, "most": signed_yuan(change.fee - change.before)}
    if change.after < ZERO:
        return gettext(
            "An adjustment of %(adjustment)s would take the net of this settlement from "
            "%(before)s to %(after)s, below zero; at most %(most)s can be taken back."
        ) % {**values, "most": signed_yuan(-change.before)}
    return ""
