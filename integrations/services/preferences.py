"""A user's notification choices and the read flag of portal notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..models import Notification, NotificationPreference
from .endpoints import checked_event_types


def save_preferences(
    *,
    user: AbstractBaseUser,
    language: str,
    email_types: Sequence[str],
    portal_types: Sequence[str],
    now: datetime,
) -> NotificationPreference:
    """Store how ``user`` hears about events; applies to events fanned out from now on."""
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
            user_id=user.pk, defaults={"updated_at": now}
        )
        preference.language = language
        preference.email_types = checked_event_types(email_types)
        preference.portal_types = checked_event_types(portal_types)
        preference.updated_at = now
        preference.full_clean()
        preference.save()
        return preference


def mark_read(*, user: AbstractBaseUser, now: datetime, ids: Sequence[int] | None = None) -> int:
    """Mark the user's unread notifications read (only ``ids`` when given); returns how many."""
    unread = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now)
