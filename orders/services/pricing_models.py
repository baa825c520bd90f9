"""Switching the live pricing model (DESIGN §4b): an audited setting that changes only new quotes.

Quotes and boosts freeze the model that priced them, so a switch never touches an existing boost
or its fee; cached listing quotes follow at the next refresh.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.audit import actor_name

from ..models import PricingModel, PricingModelChange, PricingSetting
from .errors import OrderError


def switch_live_model(
    *, to_model: str, actor: User | None, reason: str, now: datetime
) -> PricingModelChange | None:
    """Make ``to_model`` the live pricing model and record who did it and why.

    A no-op returning None when it is live already; an unknown model or a blank reason is refused
    and nothing is written.
    """
    if to_model not in PricingModel.values:
        raise OrderError(
            _("Unknown pricing model %(model)s; known: %(known)s")
            % {"model": to_model, "known": ", ".join(PricingModel.values)}
        )
    reason = reason.strip()
    if not reason:
        raise OrderError(_("A reason is required to switch the live pricing model."))
    with transaction.atomic():
        PricingSetting.objects.get_or_create(pk=PricingSetting.SINGLETON)
        setting = PricingSetting.objects.select_for_update().get(pk=PricingSetting.SINGLETON)
        if setting.live_model == to_model:
            return None
        change = PricingModelChange.objects.create(
            from_model=setting.live_model,
            to_model=to_model,
            actor=actor,
            actor_name=actor_name(actor),
            reason=reason,
            changed_at=now,
        )
        setting.live_model, setting.changed_at = to_model, now
        setting.save(update_fields=["live_model", "changed_at"])
        return change
