"""What every audit trail keeps of an event: who acted, under which name, and when.

Audit events are append-only. The actor's name is copied when the row is written, so the trail
still reads after the user is renamed or deleted (the Sentry audit-log entry); ``SYSTEM`` names
the sweeps and tasks that act alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import user_reference

if TYPE_CHECKING:  # the models module is imported while apps load: no auth import at run time
    from django.contrib.auth.models import User

SYSTEM = "system"


def actor_name(actor: User | None) -> str:
    """The name an audit event keeps of its actor, so it survives the user being renamed."""
    return actor.get_username() if actor is not None else SYSTEM


def actor_columns(actor: User | None) -> dict[str, Any]:
    """An audit row's actor columns, for rows inserted without a model instance."""
    return {"actor_id": actor.pk if actor is not None else None, "actor_name": actor_name(actor)}


class Acted(models.Model):
    """A row recording a staff user's act: the user (None for a sweep) and their name then."""

    actor = user_reference(_("actor"))
    actor_name = models.CharField(_("actor name"), max_length=150, default=SYSTEM)

    class Meta:
        abstract = True


class AuditEvent(Acted):
    """One event of an object's trail, at an instant; a trail reads oldest first."""

    at = models.DateTimeField(_("at"))

    class Meta:
        abstract = True
        ordering = ["at", "id"]
