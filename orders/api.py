"""JSON ingestion API of the platform's data pipeline: publish events, view snapshots and video
status changes (§5).

A django-ninja router, mounted by ``starboost.api`` under ``/api/`` and documented in its OpenAPI
document (the shapes are ``orders.api_schemas``). Each request carries
``Authorization: Bearer <token>``, checked against ``IntegrationToken``. A view checks the shape of
its batch itself — so that every refusal carries this API's own messages and status codes — then
hands the whole batch to one service (``publish_events``, ``record_views``,
``record_video_statuses``), which is all or
nothing. Every request, refused ones included, leaves exactly one ``ApiRequestLog`` row.

Answers are small JSON objects:

- 200 ``{"accepted": n, "new": m}``: every item was accepted; ``m`` of them were not stored before.
- 400 / 409 ``{"errors": {"<index>": ["message", …]}}``: items refused, nothing stored. 409 when
  every refused item contradicts stored data, 400 otherwise. The shape of every item is checked
  first; the business rules are applied only to a batch whose items are all well-formed.
- 400 / 401 / 405 / 413 ``{"error": "message"}``: the request as a whole was refused.

Messages follow the request's ``Accept-Language`` (the site's default language otherwise).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from kernel.errors import DomainError
from kernel.instants import parse_instant, parse_instant_text
from kernel.jsonbody import JsonRefused, JsonTooLarge, load_json
from kernel.text import has_control_characters

from . import api_schemas, services
from .models import IntegrationToken
from .services import BatchRefused, PublishIn, SnapshotIn, VideoStatusIn

VIDEO_ID_MAX_LENGTH = api_schemas.VIDEO_ID_MAX_LENGTH
BIGINT_MAX = api_schemas.BIGINT_MAX
# Methods answered 405 (and logged) rather than left to the router's bare 405.
OTHER_METHODS = ["GET", "PUT", "PATCH", "DELETE"]

router = Router(tags=["ingestion"])


@dataclass(frozen=True)
class Answer:
    """A JSON answer, and what the request log keeps of it."""

    status: int
    body: dict
    items: int = 0
    summary: str = ""


class Refused(Exception):
    """Ends a request early with ``answer``."""

    def __init__(self, answer: Answer):
        super().__init__(answer.summary)
        self.answer = answer


def _error(status: int, message: str, *, items: int = 0) -> Answer:
    return Answer(status, {"error": message}, items=items, summary=message)


def _item_errors(errors: Mapping[int, Sequence[str]], *, items: int, conflict=False) -> Answer:
    first = min(errors)
    summary = _("%(count)s of %(items)s item(s) refused; #%(index)s: %(message)s") % {
        "count": len(errors),
        "items": items,
        "index": first,
        "message": " ".join(errors[first]),
    }
    body = {"errors": {str(n): list(errors[n]) for n in sorted(errors)}}
    return Answer(409 if conflict else 400, body, items=items, summary=summary)


def endpoint(view: Callable[..., Answer]) -> Callable[[HttpRequest], JsonResponse]:
    """Authenticate the request, run ``view``, answer JSON and log the request, whatever happens."""

    def wrapper(request: HttpRequest) -> JsonResponse:
        started, now = time.monotonic(), timezone.now()
        token, answer = None, _error(500, "Server error")
        try:
            token = services.authenticate_token(raw=_bearer(request), now=now)
            if token is None:
                answer = _error(401, _("A valid API token is required."))
            elif request.method != "POST":
                answer = _error(405, _("Use POST."))
            else:
                answer = view(request, token=token, now=now)
        except Refused as refused:
            answer = refused.answer
        except Exception as crash:
            answer = _error(500, f"{type(crash).__name__}: {crash}")
            raise
        finally:
            services.log_api_request(
                token=token,
                path=request.path,
                method=request.method or "",
                status_code=answer.status,
                item_count=answer.items,
                error=answer.summary,
                received_at=now,
                duration_ms=round((time.monotonic() - started) * 1000),
                request_id=getattr(request, "id", ""),
            )
        response = JsonResponse(
            answer.body, status=answer.status, json_dumps_params={"ensure_ascii": False}
        )
        if answer.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="starboost"'
        elif answer.status == 405:
            response["Allow"] = "POST"
        return response

    # Not functools.wraps: the router reads the signature, and this view takes only the request.
    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return wrapper


@endpoint
def publish_endpoint(request: HttpRequest, *, token: IntegrationToken, now: datetime) -> Answer:
    """``POST /api/publish`` ``{"events": [{"line": id, "video_id": "…", "published_at": "…"}]}``.

    Each event links a platform video to an order line and starts its boost's window
    (``services.publish``); events refused by the rules are also kept for operators.
    """
    return _store_batch(
        request,
        "events",
        _publish_event,
        lambda events: services.publish_events(events=events, now=now, token=token),
    )


@endpoint
def views_endpoint(request: HttpRequest, *, token: IntegrationToken, now: datetime) -> Answer:
    """``POST /api/views`` ``{"snapshots": [{"video_id": "…", "observed_at": "…", "views": n}]}``.

    Stores view counts through ``services.record_views``; a snapshot already stored with the same
    count is accepted and not stored again.
    """
    return _store_batch(
        request,
        "snapshots",
        _snapshot,
        lambda snapshots: services.record_views(items=snapshots, now=now),
    )


@endpoint
def videos_endpoint(request: HttpRequest, *, token: IntegrationToken, now: datetime) -> Answer:
    """``POST /api/videos`` ``{"events": [{"video_id": "…", "status": "removed_by_creator",
    "at": "…"}]}``.

    Video status changes (``live``, ``removed_by_creator``, ``private``, ``taken_down``,
    ``restored``) through ``services.record_video_statuses``: while a video is not live its
    counted views are frozen. An event already stored with the same status is accepted and not
    stored again.
    """
    return _store_batch(
        request,
        "events",
        _video_status,
        lambda events: services.record_video_statuses(items=events, now=now),
    )


def _register(
    path: str, view: Callable[[HttpRequest], JsonResponse], *, body: str, name: str, summary: str
) -> None:
    """Route ``POST path`` to ``view``, documented, and the other methods to its logged 405."""
    router.add_api_operation(
        path,
        ["POST"],
        view,
        url_name=name,
        operation_id=f"ingest_{name}",
        summary=summary,
        description=inspect.cleandoc(view.__doc__ or ""),
        response=api_schemas.RESPONSES,
        openapi_extra=api_schemas.operation_extra(body),
    )
    router.add_api_operation(path, OTHER_METHODS, view, include_in_schema=False)


_register(
    "/publish",
    publish_endpoint,
    body="PublishBatchBody",
    name="publish",
    summary="Publish events: each starts its boost's 14-day window",
)
_register(
    "/views",
    views_endpoint,
    body="ViewsBatchBody",
    name="views",
    summary="View snapshots of published videos",
)
_register(
    "/videos",
    videos_endpoint,
    body="VideosBatchBody",
    name="videos",
    summary="Video status changes: removed, private, taken down, restored",
)


# --- Parsing -----------------------------------------------------------------------------------


def _bearer(request: HttpRequest) -> str:
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def _batch(request: HttpRequest, key: str) -> list:
    """The list under ``key`` of the request's JSON object, within the batch size limit."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise Refused(_error(413, _("The request body is too large."))) from None
    try:
        data = load_json(body, max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    except JsonTooLarge as error:
        raise Refused(_error(413, str(error))) from None
    except JsonRefused as error:
        raise Refused(_error(400, str(error))) from None
    except ValueError as error:
        raise Refused(
            _error(400, _("The body is not valid JSON: %(error)s") % {"error": error})
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise Refused(
            _error(400, _("The body must be a JSON object with a list “%(key)s”.") % {"key": key})
        )
    items = data[key]
    if len(items) > settings.INGEST_MAX_BATCH:
        raise Refused(
            _error(
                413,
                _("At most %(max)s items per request; this one has %(count)s.")
                % {"max": settings.INGEST_MAX_BATCH, "count": len(items)},
                items=len(items),
            )
        )
    return items


def _store_batch(
    request: HttpRequest,
    key: str,
    parse: Callable[[dict, list[str]], object],
    store: Callable[[list], int],
) -> Answer:
    """Every endpoint's batch: parse all items under ``key``, then ``store`` them in one call,
    which returns how many were new. A bad item or a refused batch answers the errors by item
    index and stores nothing."""
    items = _batch(request, key)
    parsed, errors = _parse_items(items, parse)
    if errors:
        return _item_errors(errors, items=len(items))
    try:
        new = store(parsed)
    except BatchRefused as refusal:
        return _item_errors(
            _by_index(refusal.message_dict), items=len(items), conflict=refusal.conflict
        )
    return Answer(200, {"accepted": len(parsed), "new": new}, items=len(items))


def _parse_items(
    items: list, parse: Callable[[dict, list[str]], object]
) -> tuple[list, dict[int, list[str]]]:
    """Each item parsed by ``parse``, or the item's errors by index."""
    parsed, errors = [], {}
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            errors[n] = [_("Each item must be a JSON object.")]
            continue
        item_errors: list[str] = []
        value = parse(item, item_errors)
        if item_errors:
            errors[n] = item_errors
        else:
            parsed.append(value)
    return parsed, errors


def _publish_event(item: dict, errors: list[str]) -> PublishIn | None:
    line = _field(item, "line", errors)
    if line is not None and not _is_int(line, minimum=1):
        errors.append(_("“line” must be the id of an order line (a whole number)."))
    video_id = _video_id(item, errors)
    published_at = _instant(item, "published_at", errors)
    return None if errors else PublishIn(line, video_id, published_at)


def _snapshot(item: dict, errors: list[str]) -> SnapshotIn | None:
    # A well-formed item in one pass (a batch holds ten thousand); any other is checked field by
    # field below, for its messages. Both hand record_views the same values.
    video_id, observed_at, views = item.get("video_id"), item.get("observed_at"), item.get("views")
    if (
        type(video_id) is str
        and 0 < len(video_id) <= VIDEO_ID_MAX_LENGTH
        and type(observed_at) is str
        and type(views) is int
        and views <= services.MAX_VIEWS
        and not has_control_characters(video_id)
    ):
        try:
            return SnapshotIn(video_id, parse_instant_text(observed_at), views)
        except DomainError:
            pass
    video_id = _video_id(item, errors)
    observed_at = _instant(item, "observed_at", errors)
    views = _field(item, "views", errors)
    # Whether views is a whole number ≥ 0 is record_views's rule; only the column's range is here.
    if isinstance(views, int) and views > services.MAX_VIEWS:
        errors.append(_("“views” is too large."))
    return None if errors else SnapshotIn(video_id, observed_at, views)


def _video_status(item: dict, errors: list[str]) -> VideoStatusIn | None:
    video_id = _video_id(item, errors)
    status = _field(item, "status", errors)
    # Which statuses exist is record_video_statuses's rule; only the type is checked here.
    if status is not None and not isinstance(status, str):
        errors.append(_("“status” must be a text."))
    at = _instant(item, "at", errors)
    return None if errors else VideoStatusIn(video_id, status, at)


def _field(item: dict, name: str, errors: list[str]):
    if item.get(name) is None:
        errors.append(_("“%(field)s” is required.") % {"field": name})
        return None
    return item[name]


def _video_id(item: dict, errors: list[str]) -> str | None:
    video_id = _field(item, "video_id", errors)
    if isinstance(video_id, str) and has_control_characters(video_id):
        errors.append(_("“video_id” must not hold control characters (such as NUL)."))
    elif video_id is not None and not (
        isinstance(video_id, str) and 0 < len(video_id) <= VIDEO_ID_MAX_LENGTH
    ):
        errors.append(
            _("“video_id” must be a text of 1 to %(max)s characters.")
            % {"max": VIDEO_ID_MAX_LENGTH}
        )
    return video_id


def _instant(item: dict, name: str, errors: list[str]) -> datetime | None:
    value = _field(item, name, errors)
    if value is None:
        return None
    try:
        return parse_instant_text(value) if isinstance(value, str) else parse_instant(value)
    except DomainError as error:
        errors.append(
            _("“%(field)s”: %(error)s") % {"field": name, "error": " ".join(error.messages)}
        )
        return None


def _is_int(value, *, minimum: int) -> bool:
    """A JSON whole number (not a boolean, not 1.0, not "1") within the database's range."""
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= BIGINT_MAX


def _by_index(message_dict: Mapping[str, Sequence[str]]) -> dict[int, list[str]]:
    return {int(n): list(messages) for n, messages in message_dict.items()}
