"""The options every money column shares (CNY, two decimals) and its zero."""

from decimal import Decimal
from typing import Any

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
