"""Who may see the sweep heartbeats: staff who may see settlements (the sweeps make and pay them).

Heartbeats have no permission of their own to hand out, so the migrated staff groups stay as they
are; a superuser, or a user given ``operations.view_sweeprun`` directly, sees them too.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser


def can_see_sweeps(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_active and user.is_staff) and (
        user.has_perm("settlements.view_settlement") or user.has_perm("operations.view_sweeprun")
    )
