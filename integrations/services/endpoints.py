"""Managing a client's webhook endpoints: create one (its secret shown once), remove one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.text import has_control_characters
from orders.models import Client, ClientEventType

from .. import signing
from ..models import WebhookEndpoint
from .errors import IntegrationError


def checked_event_types(types: Sequence[str]) -> list[str]:
    """The event types as stored: known ones, each once, in the catalogue's order."""
    unknown = set(types) - set(ClientEventType.values)
    if unknown:
        raise IntegrationError(
            _("Unknown event type(s): %(types)s") % {"types": ", ".join(sorted(unknown))}
        )
    return [t for t in ClientEventType.values if t in set(types)]


def _checked_url(url: str) -> str:
    url = url.strip()
    schemes = ["https", "http"] if settings.WEBHOOK_ALLOW_HTTP else ["https"]
    try:
        if has_control_characters(url):
            raise ValidationError("control characters")
        URLValidator(schemes=schemes)(url)
    except ValidationError:
        raise IntegrationError(
            _("Enter a valid %(schemes)s URL.") % {"schemes": " or ".join(schemes)}
        ) from None
    return url


def create_endpoint(
    *,
    client: Client,
    url: str,
    event_types: Sequence[str],
    description: str = "",
    now: datetime,
    created_by: AbstractBaseUser | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint for ``client``; returns it and its signing secret, to be shown once."""
    types = checked_event_types(event_types)
    if not types:
        raise IntegrationError(_("Choose at least one event to send."))
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        client=client,
        url=_checked_url(url),
        description=description.strip(),
        secret=secret,
        event_types=types,
        created_at=now,
        created_by=created_by,
    )
    with transaction.atomic():
        endpoint.full_clean()
        endpoint.save()
    return endpoint, secret


def remove_endpoint(*, endpoint: WebhookEndpoint, now: datetime) -> WebhookEndpoint:
    """Stop sending to an endpoint; it is kept, with its delivery log. Idempotent."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if locked.removed_at is None:
            locked.removed_at, locked.is_active = now, False
            locked.save(update_fields=["removed_at", "is_active"])
        return locked
