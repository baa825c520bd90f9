"""Parsing instants from the outside: a task's ``now`` and the instants the API and files carry."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .errors import DomainError
from .text import shown

# The sane range of an instant from outside. Year 1 with a +14:00 offset, say, parses but is a
# BC instant in UTC, which PostgreSQL stores and then cannot hand back to Python.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def parse_now(now: str | None) -> datetime:
    """``now`` as given (ISO 8601, so a sweep can be replayed as of a past instant) or the clock.

    A naive value is read in the project time zone (Asia/Shanghai).
    """
    if now is None:
        return timezone.now()
    parsed = parse_datetime(now)
    if parsed is None:
        raise ValueError(f"now must be an ISO 8601 date-time, got {now!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def parse_instant(
    value: object, *, earliest: datetime = EARLIEST, latest: datetime = LATEST
) -> datetime:
    """An ISO 8601 date and time with a UTC offset (``Z`` or ``+08:00``) as an aware datetime.

    A time without an offset is refused rather than guessed: the pipeline and operators' files
    may come from any time zone. Only ASCII is read: Python would take full-width or other
    Unicode digits (``２０２６``) as numbers, which no sender of ISO 8601 means. The instant must
    lie within ``earliest`` … ``latest`` (both included; by default the years 2000 to 2100), so
    no value that reaches the database is one it cannot give back; a caller narrows the range
    where a rule does (e.g. not before the order was placed).
    """
    if isinstance(value, str) and not value.isascii():
        raise DomainError(
            _("%(value)s is not an ISO 8601 date and time: write it in ASCII digits 0–9.")
            % {"value": shown(value)}
        )
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise DomainError(_("Not an ISO 8601 date and time: %(value)s") % {"value": shown(value)})
    if parsed.tzinfo is None:
        raise DomainError(
            _("%(value)s has no UTC offset; add one, e.g. +08:00 or Z.") % {"value": shown(value)}
        )
    if not earliest <= parsed <= latest:
        raise DomainError(
            _("%(value)s is outside the accepted range %(earliest)s to %(latest)s.")
            % {
                "value": shown(value),
                "earliest": earliest.isoformat(timespec="seconds"),
                "latest": latest.isoformat(timespec="seconds"),
            }
        )
    return parsed


@lru_cache(maxsize=4096)
def parse_instant_text(value: str) -> datetime:
    """``parse_instant`` of a text with the default range, remembered: a pipeline batch or an
    import file repeats a few instants thousands of times. A refusal is raised again each time."""
    return parse_instant(value)
