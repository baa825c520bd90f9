"""The current request id, for every log line written while a request is handled."""

from __future__ import annotations

import logging
from contextvars import ContextVar

# "-" outside a request (worker, beat, management commands).
NO_REQUEST = "-"
current_request_id: ContextVar[str] = ContextVar("current_request_id", default=NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (set by ``operations.middleware.RequestIdMiddleware``).

    Django logs a 4xx/5xx response (``django.request``) after the middleware has returned, with
    the request on the record: its id is taken from there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id.get()
        if request_id == NO_REQUEST:
            request_id = getattr(getattr(record, "request", None), "id", NO_REQUEST)
        record.request_id = request_id
        return True
