"""The orders admin: every model registered here, in one place, with its admin class.

Each admin class lives in the module of its model family (``clients``, ``memberships``,
``ledger``, ``influencers``, ``orders``, ``boosts``, ``snapshots``, ``integrations``) over the
shared ``base`` and ``visibility`` (who sees which field and link). The admin is a thin
caller of ``orders.services``: money and boost state change only through the services, and
service-written rows are read-only here (STYLE: append, never edit).
Every changelist costs a constant number of queries whatever its length.

``settlements.admin`` extends ``BoostAdmin`` and the read-only bases, so they are importable
from here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    ApiRequestLog,
    Boost,
    BoostEvent,
    Client,
    ClientMembership,
    HistoryVideo,
    Influencer,
    IntegrationToken,
    LedgerEntry,
    Order,
    OrderLine,
    PublishRejection,
    SnapshotFlag,
    VideoStatusEvent,
    ViewSnapshot,
)
from ..module import cap_explanation
from .base import ReadOnlyAdminMixin, ReadOnlyInline
from .boosts import BoostAdmin, BoostEventAdmin
from .clients import ClientAdmin
from .influencers import HistoryVideoAdmin, InfluencerAdmin
from .integrations import ApiRequestLogAdmin, IntegrationTokenAdmin, PublishRejectionAdmin
from .ledger import LedgerEntryAdmin
from .memberships import ClientMembershipAdmin
from .orders import OrderAdmin, OrderLineAdmin
from .snapshots import SnapshotFlagAdmin, VideoStatusEventAdmin, ViewSnapshotAdmin

__all__ = ["BoostAdmin", "ReadOnlyAdminMixin", "ReadOnlyInline", "cap_explanation"]

admin.site.site_header = _("StarBoost (星推宝) back-office")
admin.site.site_title = _("StarBoost back-office")
admin.site.index_title = _("Operations")

admin.site.register(Client, ClientAdmin)
admin.site.register(ClientMembership, ClientMembershipAdmin)
admin.site.register(LedgerEntry, LedgerEntryAdmin)
admin.site.register(Influencer, InfluencerAdmin)
admin.site.register(HistoryVideo, HistoryVideoAdmin)
admin.site.register(Order, OrderAdmin)
admin.site.register(OrderLine, OrderLineAdmin)
admin.site.register(Boost, BoostAdmin)
admin.site.register(BoostEvent, BoostEventAdmin)
admin.site.register(ViewSnapshot, ViewSnapshotAdmin)
admin.site.register(SnapshotFlag, SnapshotFlagAdmin)
admin.site.register(VideoStatusEvent, VideoStatusEventAdmin)
admin.site.register(IntegrationToken, IntegrationTokenAdmin)
admin.site.register(ApiRequestLog, ApiRequestLogAdmin)
admin.site.register(PublishRejection, PublishRejectionAdmin)
