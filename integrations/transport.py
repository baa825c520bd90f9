"""The HTTP side of webhooks: one POST, no redirects, a timeout, and what came back.

Endpoints are URLs clients typed in, so a request is refused before it is sent when the host
resolves to a loopback, private, link-local or otherwise non-public address (the server must not
be made to call its own network), unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` is on (tests and
on-premise receivers). Nothing here raises: every outcome is a ``Reply``.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

from django.conf import settings

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Reply:
    """What one request got: a status (None when no answer came), an excerpt, or the error."""

    status: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (3xx, a failure), never followed to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def refusal(url: str) -> str:
    """Why ``url`` may not be called, or an empty string when it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Only http and https URLs with a host are called."
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return ""
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        return f"The host does not resolve: {error}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return f"The host resolves to a non-public address ({address})."
    return ""


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Reply:
    """POST ``body`` to ``url`` once and report what happened."""
    started = time.monotonic()
    refused = refusal(url)
    if refused:
        return Reply(None, 0, error=refused)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Reply(response.status, _elapsed(started), _excerpt(response))
    except urllib.error.HTTPError as answer:
        return Reply(answer.code, _elapsed(started), _excerpt(answer))
    except (OSError, ValueError) as error:
        return Reply(None, _elapsed(started), error=f"{type(error).__name__}: {error}"[:300])


def _elapsed(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _excerpt(response: IO[bytes]) -> str:
    try:
        text = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")
    except OSError:
        return ""
    return "".join(c if c.isprintable() or c in "\n\t" else "�" for c in text)[:EXCERPT_CHARS]
