"""Form instances of money forms: one signed id per form, issued by the server, kept by the URL.

A money form's idempotency key must survive Back and refresh (STYLE 12). A key minted each time a
page is rendered does not: Back re-fetches the page (pages are ``private, no-store``) and the
re-fetched page carries a new key, so the same click charges twice. Instead, the first GET of a
form without an id is redirected to the same URL with ``?form=<signed id>``; every later render
of that URL — after Back, a refresh, or the next step of the same flow — carries the same id, and
the service key is derived from it.

The id is signed with ``django.core.signing`` (salted per form kind), bound to the user and to a
scope (the client the form is for) and expires after ``LIFETIME``: a forged, foreign or stale id
is refused before anything is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .errors import DomainError

# The query parameter (and hidden field value) that carries a form instance's signed id.
FORM_PARAM = "form"

# How long a form instance can be submitted: a working day and its night.
LIFETIME = timedelta(hours=24)


class FormInstanceRefused(DomainError):
    """The form id was tampered with, issued to someone else, or expired; nothing was written."""


@dataclass(frozen=True)
class FormInstance:
    """One rendered money form: ``token`` is what the page carries, ``id`` what keys derive from."""

    token: str
    id: str


def issue(kind: str, *, user_id: int, scope: str = "") -> FormInstance:
    """A new form instance of ``kind`` for ``user_id`` (e.g. the top-up form of one client)."""
    form_id = uuid.uuid4().hex
    token = signing.dumps({"u": user_id, "s": scope, "i": form_id}, salt=_salt(kind))
    return FormInstance(token=token, id=form_id)


def verify(
    token: str, kind: str, *, user_id: int, scope: str = "", max_age: timedelta = LIFETIME
) -> FormInstance:
    """The form instance ``token`` names, if it is genuine, this user's, in scope and not expired.

    Raises ``FormInstanceRefused`` with a message the page can show as it is.
    """
    try:
        payload = signing.loads(token, salt=_salt(kind), max_age=max_age)
    except signing.SignatureExpired:
        raise FormInstanceRefused(
            _("This form has expired; nothing was saved. Please start a new one.")
        ) from None
    except signing.BadSignature:
        raise FormInstanceRefused(
            _("This form was altered or is not a form of this page; nothing was saved.")
        ) from None
    if not isinstance(payload, dict) or payload.get("u") != user_id or payload.get("s") != scope:
        raise FormInstanceRefused(
            _("This form was opened by another user or for another account; nothing was saved.")
        )
    form_id = payload.get("i")
    if not isinstance(form_id, str) or not form_id:
        raise FormInstanceRefused(_("This form was altered; nothing was saved."))
    return FormInstance(token=token, id=form_id)


def url_with(request: HttpRequest, instance: FormInstance | None) -> str:
    """The request's own URL with ``instance``'s token as ``?form=`` (none: without a form id)."""
    query = [(k, v) for k, values in request.GET.lists() if k != FORM_PARAM for v in values]
    if instance is not None:
        query.insert(0, (FORM_PARAM, instance.token))
    return f"{request.path}?{urlencode(query)}" if query else request.path


def _salt(kind: str) -> str:
    return f"kernel.replay.{kind}"
