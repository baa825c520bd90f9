"""The documented shapes of the ingestion API (``orders.api``): request bodies and answers.

These pydantic schemas are what the OpenAPI document shows and what clients can generate code
from. The views do not let the framework parse bodies with them: each item is checked by
``orders.api`` itself, so a refusal keeps this API's own contract (per-item messages, 400/409/413
rather than the framework's 422). The two must agree; ``tests/integrations/test_openapi.py``
sends documented bodies and checks every answer against these schemas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from .models import OrderLine, VideoStatus

BIGINT_MAX = 2**63 - 1
VIDEO_ID_MAX_LENGTH: int = OrderLine._meta.get_field("platform_video_id").max_length  # type: ignore[assignment]
# The security scheme of the pipeline's tokens, declared by ``starboost.api``.
SECURITY_SCHEME = "PipelineToken"


class PublishEventBody(Schema):
    """An order line's video went live at ``published_at``."""

    line: int = Field(ge=1, le=BIGINT_MAX, description="The order line's id.")
    video_id: str = Field(
        min_length=1, max_length=VIDEO_ID_MAX_LENGTH, description="The platform's video id."
    )
    published_at: datetime = Field(description="ISO 8601 with a UTC offset.")


class PublishBatchBody(Schema):
    """A batch of publish events, accepted or refused as a whole."""

    events: list[PublishEventBody]


class SnapshotBody(Schema):
    """A video's view count observed at an instant."""

    video_id: str = Field(min_length=1, max_length=VIDEO_ID_MAX_LENGTH)
    observed_at: datetime = Field(description="ISO 8601 with a UTC offset.")
    views: int = Field(ge=0, le=BIGINT_MAX)


class ViewsBatchBody(Schema):
    """A batch of view snapshots, accepted or refused as a whole."""

    snapshots: list[SnapshotBody]


class VideoStatusBody(Schema):
    """A published video's status changed at ``at``."""

    video_id: str = Field(min_length=1, max_length=VIDEO_ID_MAX_LENGTH)
    status: VideoStatus = Field(
        description="live, removed_by_creator, private, taken_down, restored."
    )
    at: datetime = Field(description="ISO 8601 with a UTC offset.")


class VideosBatchBody(Schema):
    """A batch of video status changes, accepted or refused as a whole."""

    events: list[VideoStatusBody]


class AcceptedReply(Schema):
    """Every item was accepted; ``new`` of them were not stored before."""

    accepted: int
    new: int


class ErrorReply(Schema):
    """The request as a whole was refused."""

    error: str


class ItemErrorsReply(Schema):
    """Items refused, by their index in the batch; nothing was stored."""

    errors: dict[str, list[str]]


REQUEST_BODIES = (PublishBatchBody, ViewsBatchBody, VideosBatchBody)
RESPONSES: dict[int, Any] = {
    200: AcceptedReply,
    400: ErrorReply | ItemErrorsReply,
    401: ErrorReply,
    409: ItemErrorsReply,
    413: ErrorReply,
}


def operation_extra(schema_name: str) -> dict[str, Any]:
    """The OpenAPI request body and security of an ingestion operation.

    ``starboost.api`` adds the body schemas (``REQUEST_BODIES``) and the security scheme to the
    document's components: the views read their bodies and tokens themselves.
    """
    return {
        "security": [{SECURITY_SCHEME: []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
            },
        },
    }
