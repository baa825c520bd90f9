"""Read queries of the integrations app: what events refer to, notifications, endpoints, tokens.

Every query that a client's page or API call makes takes the client (or user) explicitly and
filters by it, so nothing of another client can leak.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from orders.models import Boost, Client, ClientEvent, ClientMembership

from .models import (
    ClientApiToken,
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from .wording import Names


def names_for(events: Iterable[ClientEvent]) -> dict[int, Names]:
    """The order code and influencer of each event's boost, by boost id, in one query."""
    boost_ids = {e.boost_id for e in events if e.boost_id is not None}
    rows = Boost.objects.filter(pk__in=boost_ids).values_list(
        "pk", "line__order__code", "line__influencer__name"
    )
    return {pk: Names(order=code, influencer=name) for pk, code, name in rows}


def members_of(client_ids: Iterable[int]) -> list[ClientMembership]:
    """The active users of these clients, with their notification preferences, in one query."""
    return list(
        ClientMembership.objects.filter(client_id__in=set(client_ids), user__is_active=True)
        .select_related("user", "user__notification_preference")
        .order_by("pk")
    )


def preference_of(user: AbstractBaseUser) -> NotificationPreference:
    """The user's preferences, or the defaults (not saved) when the user never chose any."""
    found = NotificationPreference.objects.filter(user_id=user.pk).first()
    return found or NotificationPreference(user_id=user.pk)


def notifications_of(user: AbstractBaseUser) -> QuerySet[Notification]:
    """A user's portal notifications, newest first, with their events."""
    return Notification.objects.filter(user_id=user.pk).select_related("event")


def unread_count(user: AbstractBaseUser) -> int:
    """How many of the user's portal notifications are unread."""
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def endpoints_of(client: Client) -> QuerySet[WebhookEndpoint]:
    """A client's webhook endpoints that were not removed, newest first."""
    return WebhookEndpoint.objects.filter(client=client, removed_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def endpoint_of(client: Client, pk: int) -> WebhookEndpoint | None:
    """One of the client's endpoints; None for a missing one and another client's alike."""
    return endpoints_of(client).filter(pk=pk).first()


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """An endpoint's delivery log, newest first, with each delivery's attempts."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-pk")
    )


def delivery_of(endpoint: WebhookEndpoint, pk: int) -> WebhookDelivery | None:
    """One delivery of ``endpoint``; None when it is another endpoint's or does not exist."""
    return WebhookDelivery.objects.filter(endpoint=endpoint, pk=pk).first()


def tokens_of(client: Client) -> QuerySet[ClientApiToken]:
    """A client's API tokens, newest first."""
    return ClientApiToken.objects.filter(client=client).order_by("-created_at", "-pk")
