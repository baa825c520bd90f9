"""Business actions on clients, orders, boosts and views (DESIGN §4, §5, §8): the public names.

Every service is keyword-only, takes ``now`` explicitly and runs in ``transaction.atomic``. Money
and state changes lock their rows in one fixed order — client, then boosts by id — re-check state
after the lock and are a no-op when the work is already done. Callers import from here
(``from orders.services import place_order``); each concern lives in its own module.
"""

from kernel.audit import actor_name

from .boosts import CLOCK_SKEW, Move, move_boosts, publish, transition, transition_many
from .errors import BatchRefused, IdempotencyConflict, InsufficientBalance, OrderError
from .ingestion import (
    MAX_VIEWS,
    PublishIn,
    authenticate_token,
    create_integration_token,
    log_api_request,
    publish_events,
)
from .ledger import EntryIn, post_entries, post_entry, top_up
from .ordering import LineRequest, OrderPreview, place_order, preview_module, preview_order
from .pricing_models import switch_live_model
from .quotes import refresh_all_quotes, refresh_quotes, suspend_boosts
from .snapshots import SnapshotIn, record_views
from .suspicious import flag_suspicious_snapshots
from .video_status import VideoStatusIn, record_video_statuses

__all__ = [
    "CLOCK_SKEW",
    "MAX_VIEWS",
    "BatchRefused",
    "EntryIn",
    "IdempotencyConflict",
    "InsufficientBalance",
    "LineRequest",
    "Move",
    "OrderError",
    "OrderPreview",
    "PublishIn",
    "SnapshotIn",
    "VideoStatusIn",
    "actor_name",
    "authenticate_token",
    "create_integration_token",
    "flag_suspicious_snapshots",
    "log_api_request",
    "move_boosts",
    "place_order",
    "post_entries",
    "post_entry",
    "preview_module",
    "preview_order",
    "publish",
    "publish_events",
    "record_video_statuses",
    "record_views",
    "refresh_all_quotes",
    "refresh_quotes",
    "switch_live_model",
    "suspend_boosts",
    "top_up",
    "transition",
    "transition_many",
]
