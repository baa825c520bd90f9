"""The figures of one group (a period bucket, a band, an influencer, a total) and their ratios.

Counts and money are sums straight from the database; ratios are derived exactly
(``fractions.Fraction``) and rounded once, half-up, for display. Pure: no models, no queries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from kernel.money import ZERO, half_up


def ratio(numerator: Decimal | int | Fraction, denominator: Decimal | int) -> Fraction | None:
    """An exact ratio, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return Fraction(numerator) / Fraction(denominator)


def above_target(compensation: Decimal, fees: Decimal, target: Decimal) -> bool:
    """Whether a loss ratio is above the target T, compared exactly: a ratio that rounds to T
    but is above it is above it."""
    loss = ratio(compensation, fees)
    return loss is not None and loss > Fraction(target)


def round_ratio(value: Fraction | None) -> Decimal | None:
    """A ratio rounded once, half-up, to 4 decimal places (0.2750 = 27.50 %)."""
    return None if value is None else half_up(value, 4)


@dataclass
class Figures:
    """The figures of one group, by three date bases (see ``settlements.insights.queries``)."""

    key: Any
    label: str
    target: Decimal
    # Sold: boosts by order time.
    boosts_sold: int = 0
    fees_collected: Decimal = ZERO
    # Settled: settlements by computed_at.
    settled: int = 0  # window outcomes: kind none or compensation
    succeeded: int = 0
    compensated: int = 0
    settled_fees: Decimal = ZERO
    compensation: Decimal = ZERO
    shortfall_share_sum: float = 0.0
    refunds: int = 0
    refunded: Decimal = ZERO
    capped: int = 0
    capped_raw: Decimal = ZERO
    capped_amount: Decimal = ZERO
    # Paid out: credits by paid_at.
    compensation_paid: Decimal = ZERO
    refunds_paid: Decimal = ZERO

    @property
    def success_rate(self) -> Decimal | None:
        """Succeeded ÷ window-settled."""
        return round_ratio(ratio(self.succeeded, self.settled))

    @property
    def average_shortfall_share(self) -> Decimal | None:
        """Mean of (E − A) / E over compensated settlements."""
        if not self.compensated:
            return None
        return round_ratio(Fraction(self.shortfall_share_sum) / self.compensated)

    @property
    def exact_loss_ratio(self) -> Fraction | None:
        return ratio(self.compensation, self.settled_fees)

    @property
    def loss_ratio(self) -> Decimal | None:
        """Realized loss ratio: compensation ÷ fees of the windows settled."""
        return round_ratio(self.exact_loss_ratio)

    @property
    def above_target(self) -> bool:
        return above_target(self.compensation, self.settled_fees, self.target)

    @property
    def cap_rate(self) -> Decimal | None:
        """Share of compensated settlements where the cap bound (DESIGN §6)."""
        return round_ratio(ratio(self.capped, self.compensated))

    @property
    def cap_saved(self) -> Decimal:
        """Σ raw amount − Σ amount over capped settlements, rounded half-up once."""
        return half_up(self.capped_raw - self.capped_amount)

    @property
    def paid_out(self) -> Decimal:
        return self.compensation_paid + self.refunds_paid


_SUMMED = [f.name for f in dataclasses.fields(Figures) if f.name not in ("key", "label", "target")]


def total(rows: Iterable[Figures], *, label: str, target: Decimal) -> Figures:
    """The sum of groups that partition a period (every field but the derived ratios adds up)."""
    result = Figures(key=None, label=label, target=target)
    for row in rows:
        for name in _SUMMED:
            setattr(result, name, getattr(result, name) + getattr(row, name))
    return result
