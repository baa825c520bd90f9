"""The pricing rules (§4 settings) and the reasons a boost is not offered."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

FORMULA_VERSION = 1
CENT = Decimal("0.01")
SECONDS_PER_DAY = 86400

_INT_RULES = ("history_days", "half_life_days", "min_history_videos", "min_expected_views")
_DECIMAL_RULES = ("target_loss_ratio", "min_ratio", "max_ratio")


class IneligibleReason(TextChoices):
    """Why a boost is not offered; the first failing gate of §4 wins."""

    DISABLED = "disabled", _("Boost service not enabled")
    SUSPENDED = "suspended", _("Suspended after a creator-caused shortfall")
    NOT_ENOUGH_HISTORY = "not_enough_history", _("Not enough recent history videos")
    EXPECTATION_TOO_LOW = "expectation_too_low", _("Expected views too low")


@dataclass(frozen=True)
class PricingRules:
    """The tunable constants of §4; the defaults are the spec's values."""

    history_days: int = 45
    half_life_days: int = 15
    target_loss_ratio: Decimal = Decimal("0.30")
    min_history_videos: int = 3
    min_expected_views: int = 1000
    min_ratio: Decimal = Decimal("0.10")
    max_ratio: Decimal = Decimal("0.50")

    def __post_init__(self) -> None:
        # Rules come from the environment; a bad value must fail loudly, not misprice quietly.
        for name in _INT_RULES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"pricing rule {name} must be an int, got {value!r}")
        for name in _DECIMAL_RULES:
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise ValueError(f"pricing rule {name} must be a finite Decimal, got {value!r}")
        if self.history_days <= 0 or self.half_life_days <= 0:
            raise ValueError("pricing rules history_days and half_life_days must be positive")
        if self.min_history_videos < 1 or self.min_expected_views < 0:
            raise ValueError("pricing rules need min_history_videos >= 1, min_expected_views >= 0")
        if not 0 <= self.target_loss_ratio <= 1:
            raise ValueError("pricing rule target_loss_ratio must be within [0, 1]")
        if not 0 < self.min_ratio <= self.max_ratio <= 1:
            raise ValueError("pricing rules need 0 < min_ratio <= max_ratio <= 1")
        if (self.min_ratio * 100) % 1 or (self.max_ratio * 100) % 1:
            raise ValueError("pricing rules min_ratio and max_ratio must be whole percents")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PricingRules:
        """Build rules from a partial mapping (e.g. parsed settings); unknown keys are typos."""
        unknown = set(values) - {field.name for field in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown pricing rules: {', '.join(sorted(unknown))}")
        converted: dict[str, Any] = {}
        for name, value in values.items():
            if name in _DECIMAL_RULES:
                try:
                    converted[name] = Decimal(str(value))
                except InvalidOperation:
                    raise ValueError(f"pricing rule {name} is not a number: {value!r}") from None
            else:
                converted[name] = int(value) if isinstance(value, str) else value
        return cls(**converted)

    @classmethod
    def from_settings(cls) -> PricingRules:
        """Rules from ``settings.STARBOOST_PRICING``; missing keys keep the spec's defaults."""
        return cls.from_mapping(getattr(settings, "STARBOOST_PRICING", None) or {})

    def failing_gate(
        self, *, boost_enabled: bool, suspended: bool, videos: int, expected: int
    ) -> IneligibleReason | None:
        """The first §4 gate a quote with ``videos`` in its window and ``expected`` views fails,
        or None when the boost is offered; every model applies these gates, in this order."""
        if not boost_enabled:
            return IneligibleReason.DISABLED
        if suspended:
            return IneligibleReason.SUSPENDED
        if videos < self.min_history_videos:
            return IneligibleReason.NOT_ENOUGH_HISTORY
        if expected < self.min_expected_views:
            return IneligibleReason.EXPECTATION_TOO_LOW
        return None

    def as_dict(self) -> dict[str, int | str]:
        return {
            name: str(value) if isinstance(value, Decimal) else value
            for name, value in dataclasses.asdict(self).items()
        }
