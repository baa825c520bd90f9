"""How numbers read on every screen and export: one formatter per kind of number.

Money and counts are grouped by thousands in every language: Django's zh-hans number format has
no thousands separator, and "¥189000.00" next to "¥1,000.00" in the same table reads badly.
A negative amount always carries the minus sign U+2212 before the currency sign.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext

from .money import half_up

MINUS = "\u2212"


def yuan(amount: Decimal | None) -> str:
    """``Decimal("189000")`` → ``"¥189,000.00"``; negative → ``"−¥5.00"``; None → ``""``."""
    return "" if amount is None else exact_yuan(half_up(amount))


def exact_yuan(amount: Decimal | None) -> str:
    """An unrounded amount (a raw formula result, a CPM) with every significant decimal place,
    at least two: ``Decimal("5500.000000")`` → ``"¥5,500.00"``, ``Decimal("1131.634567")`` →
    ``"¥1,131.634567"``; None → ``""``."""
    if amount is None:
        return ""
    places = max(2, -int(amount.normalize().as_tuple().exponent))
    exact = amount.quantize(Decimal(1).scaleb(-places))
    sign = MINUS if exact < 0 else ""
    return f"{sign}¥{abs(exact):,}"


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


def minute(instant: datetime) -> str:
    """An aware instant in the project's time zone (Asia/Shanghai), to the minute:
    ``"2026-03-02 14:05"``."""
    return timezone.localtime(instant).strftime("%Y-%m-%d %H:%M")


def duration(delta: timedelta) -> str:
    """A time left in whole units, never weeks and never a fraction: ``"6 days, 9 hours"``.

    Days and hours while a day or more is left, hours and minutes under a day, minutes under an
    hour; a zero second unit is left out (``"26 days"``). Rounded down, so "6 days, 9 hours" never
    promises more time than there is. ``timeuntil`` switches to weeks at seven days, which put
    "1 week" beside "6 days, 9 hours" on one page.
    """
    minutes = max(0, int(delta.total_seconds()) // 60)
    if minutes < 1:
        return gettext("less than a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [
        (days, ngettext("%(count)d day", "%(count)d days", days)),
        (hours, ngettext("%(count)d hour", "%(count)d hours", hours)),
        (minutes, ngettext("%(count)d minute", "%(count)d minutes", minutes)),
    ]
    first = next(i for i, (count, _) in enumerate(units) if count)
    shown = [text % {"count": count} for count, text in units[first : first + 2] if count]
    if len(shown) == 1:
        return shown[0]
    return pgettext("two units of a duration", "%(larger)s, %(smaller)s") % {
        "larger": shown[0],
        "smaller": shown[1],
    }
