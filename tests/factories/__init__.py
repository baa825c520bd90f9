"""The suite's one test-data kit: factories for plain rows, builders that go through the services.

Import from here (``from tests.factories import T0`` or ``from tests import factories``); each
submodule holds one concern: the base instant, users, clients, influencers, orders and boosts,
settlements, the insights data set, and row counts.
"""

from .clients import ClientFactory, ClientMembershipFactory, client, top_up
from .counts import row_counts
from .influencers import (
    STEADY,
    HistoryVideoFactory,
    InfluencerFactory,
    influencer,
    make_history,
    recent_history,
)
from .insights import PERIOD, DataSet, hand_built
from .orders import boost, due_boosts, make_order, order, publish, video_status, views
from .settlements import (
    CLOSE_DELAY,
    PUBLISH_DELAY,
    active_boost,
    adjustment,
    awaiting_views,
    compensation,
    expire,
    refund,
    settle_window,
)
from .time import SHANGHAI, T0
from .users import MEMBER_PASSWORD, StaffUserFactory, UserFactory, member_of, staff_in

__all__ = [
    "CLOSE_DELAY",
    "MEMBER_PASSWORD",
    "PERIOD",
    "PUBLISH_DELAY",
    "SHANGHAI",
    "STEADY",
    "T0",
    "ClientFactory",
    "ClientMembershipFactory",
    "DataSet",
    "HistoryVideoFactory",
    "InfluencerFactory",
    "StaffUserFactory",
    "UserFactory",
    "active_boost",
    "adjustment",
    "awaiting_views",
    "boost",
    "client",
    "compensation",
    "due_boosts",
    "expire",
    "hand_built",
    "influencer",
    "make_history",
    "make_order",
    "member_of",
    "order",
    "publish",
    "recent_history",
    "refund",
    "row_counts",
    "settle_window",
    "staff_in",
    "top_up",
    "video_status",
    "views",
]
