"""Request ids: reuse the proxy's ``X-Request-ID`` or make one, and echo it in the response."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .logs import current_request_id

HEADER = "X-Request-ID"
# A proxy's id is kept only when it is short and plain, so it can never forge a log line.
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def request_id_of(request: HttpRequest) -> str:
    """The incoming ``X-Request-ID`` when acceptable, otherwise a new random id."""
    incoming = request.headers.get(HEADER, "")
    return incoming if ACCEPTED.fullmatch(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets ``request.id`` and the logging context for the request, and the response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.id = request_id_of(request)
        token = current_request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = request.id
        return response
