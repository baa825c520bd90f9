"""What the staff pages share: the summary card, the ratio wording and the above-target row flag."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..tables import DASH, ratio_percent


def above_target(row: Any) -> bool:
    """Flag a figure row that is above the target T."""
    return row.above_target


@dataclass(frozen=True)
class Card:
    """One summary figure above a page's tables (``flagged`` when it calls for attention)."""

    key: str
    label: str
    value: str
    detail: str = ""
    flagged: bool = False


def ratio_text(value: Decimal | None) -> str:
    """A ratio as a percentage, or a dash when there is none."""
    return DASH if value is None else ratio_percent(value)
