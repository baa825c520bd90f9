"""What every audit trail keeps of an event: who acted, under which name, and when.

Audit events are append-only. The actor's name is copied when the row is written, so the trail
still reads after the user is renamed or deleted (the Sentry audit-log entry); ``SYSTEM`` names
the sweeps and tasks that act alone.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import user_reference

SYSTEM = "system"


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
