"""The fan-out: each new client event becomes notifications, e-mails and webhook deliveries.

One batch is one transaction: the events are locked (skipping those another worker holds), every
recipient's row is inserted, and the events are stamped dispatched, so a rerun or a concurrent
worker never notifies anyone twice (unique per event and user or endpoint backs it). Sending
happens after the commit, outside the transaction: delivery never holds up the facts.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from orders.models import ClientEvent, ClientMembership
from orders.services.events import mark_dispatched

from .. import selectors
from ..models import (
    EmailDelivery,
    Language,
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..wording import Names

# Called after the commit with the ids of the new e-mail and webhook deliveries.
Queue = Callable[[list[int], list[int]], None]


def event_body(event: ClientEvent, names: Names) -> str:
    """The JSON a webhook carries for ``event``: its id, type, time, client and data."""
    data = {
        **event.payload,
        "boost": event.boost_id,
        "settlement": event.settlement_id,
        "order": names.order or None,
        "influencer": names.influencer or None,
    }
    return json.dumps(
        {
            "id": event.pk,
            "type": event.type,
            "occurred_at": event.occurred_at,
            "client": event.client.code,
            "data": data,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        sort_keys=True,
    )


def dispatch_batch(
    *, now: datetime, after_id: int = 0, limit: int = 200, queue: Queue | None = None
) -> tuple[int, dict[str, int]]:
    """Fan out one batch of undispatched events; returns the last id seen and counts.

    Each member of the event's client gets a portal notification and an e-mail for the event
    types they chose; each active endpoint of the client that subscribes to the type gets a
    webhook delivery. ``queue`` is called once the batch has committed.
    """
    with transaction.atomic():
        events = list(
            ClientEvent.objects.filter(dispatched_at__isnull=True, pk__gt=after_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("client")
            .order_by("pk")[:limit]
        )
        if not events:
            return 0, {}
        client_ids = {e.client_id for e in events}
        members: dict[int, list[ClientMembership]] = defaultdict(list)
        for membership in selectors.members_of(client_ids):
            members[membership.client_id].append(membership)
        endpoints: dict[int, list[WebhookEndpoint]] = defaultdict(list)
        for endpoint in WebhookEndpoint.objects.filter(
            client_id__in=client_ids, is_active=True, removed_at__isnull=True
        ).order_by("pk"):
            endpoints[endpoint.client_id].append(endpoint)
        names = selectors.names_for(events)
        notifications, emails, webhooks = [], [], []
        attempts = settings.INTEGRATIONS_MAX_ATTEMPTS
        for event in events:
            for membership in members[event.client_id]:
                user = membership.user
                preference = _preference(user)
                if event.type in preference.portal_types:
                    notifications.append(Notification(user=user, event=event, created_at=now))
                if event.type in preference.email_types and user.email:
                    emails.append(
                        EmailDelivery(
                            user=user,
                            event=event,
                            address=user.email,
                            language=preference.language,
                            give_up_after=attempts,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
            body = event_body(event, names.get(event.boost_id, Names()))
            for endpoint in endpoints[event.client_id]:
                if event.type in endpoint.event_types:
                    webhooks.append(
                        WebhookDelivery(
                            endpoint=endpoint,
                            event=event,
                            type=event.type,
                            body=body,
                            give_up_after=attempts,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
        Notification.objects.bulk_create(notifications)
        EmailDelivery.objects.bulk_create(emails)
        WebhookDelivery.objects.bulk_create(webhooks)
        mark_dispatched(event_ids=[e.pk for e in events], now=now)
        if queue is not None:
            email_ids, webhook_ids = [e.pk for e in emails], [w.pk for w in webhooks]
            transaction.on_commit(lambda: queue(email_ids, webhook_ids), robust=True)
        counts = {
            "events": len(events),
            "notifications": len(notifications),
            "emails": len(emails),
            "webhooks": len(webhooks),
        }
        return events[-1].pk, counts


def _preference(user: AbstractBaseUser) -> NotificationPreference:
    """The user's preference loaded with the membership, or the defaults."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user, language=Language.ZH_HANS)
