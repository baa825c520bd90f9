"""Filters that show the client pages' times with ``kernel.display``, the one formatter of each."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from kernel.display import duration

register = template.Library()


@register.filter
def time_left(until: datetime | None) -> str:
    """The time from now until ``until`` as whole days and hours (``kernel.display.duration``)."""
    if until is None:
        return ""
    return duration(until - timezone.now())
