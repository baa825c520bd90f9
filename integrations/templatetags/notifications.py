"""Template tags of the portal header: the unread notifications badge."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User

from .. import selectors

register = template.Library()


@register.simple_tag
def unread_notifications(user: User | AnonymousUser) -> int:
    """How many portal notifications ``user`` has not read (0 for anonymous visitors)."""
    return selectors.unread_count(user) if user.is_authenticated else 0
