"""Parsing instants from the outside: a task's ``now`` and the instants the API and files carry."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .errors import DomainError


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


def parse_instant(value: object) -> datetime:
    """An ISO 8601 date and time with a UTC offset (``Z`` or ``+08:00``) as an aware datetime.

    A time without an offset is refused rather than guessed: the pipeline and operators' files
    may come from any time zone.
    """
    shown = str(value)[:40]
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise DomainError(_("Not an ISO 8601 date and time: %(value)s") % {"value": shown})
    if parsed.tzinfo is None:
        raise DomainError(
            _("%(value)s has no UTC offset; add one, e.g. +08:00 or Z.") % {"value": shown}
        )
    return parsed
