"""The operator home on the admin index: work queues, sweep heartbeats, links to insights."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from settlements.insights import work_queues

from ..access import can_see_sweeps
from ..selectors import sweep_health

register = template.Library()


@register.inclusion_tag("admin/operations/home.html", takes_context=True)
def operator_home(context: dict[str, Any]) -> dict[str, Any]:
    """What needs an operator now, for the users allowed to see it (6–7 + 6 queries)."""
    user = context["request"].user
    now = timezone.now()
    runs_url = reverse("admin:operations_sweeprun_changelist")
    sees_queues = user.has_perm("settlements.view_settlement")
    sweeps = sweep_health(now) if can_see_sweeps(user) else None
    return {
        "today": timezone.localdate(now),
        "queues": work_queues(today=timezone.localdate(now)) if sees_queues else None,
        "insights_url": reverse("insights:index") if sees_queues else None,
        "backtest_url": reverse("insights:backtest") if sees_queues else None,
        "sweeps": [
            (sweep, f"{runs_url}?{urlencode({'task_name__exact': sweep.task_name})}")
            for sweep in sweeps or ()
        ],
        "any_stale": any(sweep.stale for sweep in sweeps or ()),
        "runs_url": runs_url,
    }


@register.filter
def period(value: timedelta | None) -> str:
    """A schedule period in its largest whole unit: "5 min", "1 d"; "not scheduled" when None."""
    if value is None:
        return _("not scheduled")
    seconds = int(value.total_seconds())
    for unit, size in ((_("d"), 86400), (_("h"), 3600), (_("min"), 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} {_('s')}"
