"""Webhook signatures: HMAC-SHA256 over ``timestamp + "." + body`` with the endpoint's secret.

Pure: no database, no clock. A receiver checks the signature with the same three inputs and
refuses a timestamp too far from its own clock, so a captured request cannot be replayed later.
The README shows the receiver's side; ``verify`` here is the reference.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "X-StarBoost-Timestamp"
SIGNATURE_HEADER = "X-StarBoost-Signature"
EVENT_HEADER = "X-StarBoost-Event"
DELIVERY_HEADER = "X-StarBoost-Delivery"
SCHEME = "v1"
# How far a request's timestamp may be from the receiver's clock, in seconds.
TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: 256 random bits, recognisable by its prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``v1=`` and the hex HMAC-SHA256 of ``timestamp.body``."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The signing headers of one request."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    *,
    timestamp: str,
    signature_header: str,
    body: bytes,
    now: int,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether a request is signed with ``secret`` and recent; compared in constant time.

    The header may carry several ``v1=`` values (comma-separated) while a secret is rotated.
    """
    if not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, int(timestamp), body)
    return any(
        hmac.compare_digest(expected, candidate.strip())
        for candidate in signature_header.split(",")
    )
