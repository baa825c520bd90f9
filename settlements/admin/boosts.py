"""The Boost admin with what settlements adds: cancel, settle on available views, the settlement.

``orders`` never imports ``settlements`` (DESIGN §9), so ``orders.admin.BoostAdmin`` cannot show a
boost's settlement or call settlement services. This subclass does, and ``settlements.admin``
registers it in place of the orders one: the one documented override of the Boost admin.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from kernel.display import yuan
from orders.admin import BoostAdmin
from orders.models import Boost

from .. import services
from ..models import Settlement
from .base import FinanceActionsMixin, admin_link, reason_action

# What an action page and its messages name a boost by (``describe_boost``).
BOOST_RELATED = ("line__order", "line__influencer")


def describe_boost(boost: Boost) -> str:
    """One line naming a boost on an action page or in a message."""
    return gettext("%(order)s · %(influencer)s (%(status)s)") % {
        "order": boost.line.order.code,
        "influencer": boost.line.influencer.name,
        "status": boost.get_status_display(),
    }


def _cancel(boost: Boost, actor: Any, reason: str, now: datetime) -> bool:
    """Cancel one boost (its fee is refunded); whether it was not cancelled already."""
    before = boost.status
    services.cancel(boost=boost, actor=actor, reason=reason, now=now)
    return before != Boost.Status.CANCELLED


def _settle_on_available_views(boost: Boost, actor: Any, reason: str, now: datetime) -> bool:
    """Settle one boost on the views there are."""
    services.settle_with_available_views(boost=boost, actor=actor, reason=reason, now=now)
    return True


class BoostSettlementAdmin(FinanceActionsMixin, BoostAdmin):
    """``orders.admin.BoostAdmin`` with what settlements adds: cancel, settle, the settlement.

    Cancelling needs ``orders.change_boost`` (Operations and Finance), settling on stale data
    needs Finance.
    """

    actions = [*BoostAdmin.actions, "cancel_boosts", "settle_on_available_views"]
    fieldsets = [
        *BoostAdmin.fieldsets,
        (_("Settlement"), {"fields": ["settlement_summary"]}),
    ]
    readonly_fields = [*BoostAdmin.readonly_fields, "settlement_summary"]

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.has_perm("orders.change_boost")

    @admin.display(description=_("settlement"))
    def settlement_summary(self, boost: Boost) -> str:
        settlement = Settlement.objects.filter(boost=boost).first()
        if settlement is None:
            if boost.status == Boost.Status.AWAITING_VIEWS:
                return gettext(
                    "No settlement yet: waiting for view data from the end of the window. "
                    "Finance can settle with the views available."
                )
            return gettext("No settlement yet.")
        text = gettext("%(kind)s %(amount)s, %(status)s, due %(due)s") % {
            "kind": settlement.get_kind_display(),
            "amount": yuan(settlement.amount),
            "status": settlement.get_status_display(),
            "due": date_format(settlement.due_date, "DATE_FORMAT"),
        }
        if settlement.due_date_provisional:
            text += " " + gettext("(provisional)")
        return admin_link(settlement, text)

    cancel_boosts = reason_action(
        "cancel_boosts",
        _cancel,
        description=_("Cancel boost (refund fee)"),
        permission="cancel",
        title=_("Cancel boosts"),
        intro=_(
            "Only a boost still awaiting publish can be cancelled; its whole fee is refunded "
            "to the client within 7 business days."
        ),
        submit_label=_("Cancel these boosts"),
        describe=describe_boost,
        done=ngettext_lazy(
            "%(count)d boost cancelled; its fee will be refunded.",
            "%(count)d boosts cancelled; their fees will be refunded.",
            "count",
        ),
        unchanged=ngettext_lazy(
            "%(count)d boost was already cancelled.",
            "%(count)d boosts were already cancelled.",
            "count",
        ),
        related=BOOST_RELATED,
    )
    settle_on_available_views = reason_action(
        "settle_on_available_views",
        _settle_on_available_views,
        description=_("Settle with available views"),
        permission="finance",
        title=_("Settle with available views"),
        intro=_(
            "These boosts have no fresh view data from the end of their window. Each is "
            "settled on its latest snapshot up to the window end, however old; with none, "
            "the actual views count as 0. The reason is kept on the settlement."
        ),
        submit_label=_("Settle"),
        describe=describe_boost,
        done=ngettext_lazy("%(count)d boost settled.", "%(count)d boosts settled.", "count"),
        related=BOOST_RELATED,
    )
