"""The portal's integrations pages: notifications with the unread badge, preferences, webhook
endpoints (secret shown once, test event, resend, delivery log, removal) and API tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations import services, tasks
from integrations.models import (
    ClientApiToken,
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from orders.models import ClientEventType
from tests import factories
from tests.factories import T0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def notified(account, member):
    """Two boosts of ``account`` went active; their events were fanned out to ``member``."""
    for _ in range(2):
        factories.publish(factories.boost(account=account), at=T0)
    tasks.dispatch_events()
    return list(Notification.objects.filter(user=member).order_by("pk"))


def test_the_header_shows_the_unread_count_and_the_list_words_each_event(portal, notified):
    page = portal.get(reverse("portal:order_list")).content.decode()
    assert 'id="unread-count">2<' in page
    listing = portal.get(reverse("integrations:notifications"))
    assert listing.status_code == 200
    assert listing.content.decode().count("Boost active:") == 2


def test_marking_one_and_then_all_read_clears_the_badge(portal, notified):
    portal.post(reverse("integrations:mark_read"), {"id": notified[0].pk})
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    portal.post(reverse("integrations:mark_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert 'id="unread-count"' not in portal.get(reverse("portal:order_list")).content.decode()


def test_notifications_follow_the_pages_language(portal, notified, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = portal.get(reverse("integrations:notifications")).content.decode()
    assert "助推已生效" in page


def test_preferences_are_saved_for_the_user(portal, member):
    response = portal.post(
        reverse("integrations:preferences"),
        {"language": "en", "email_types": [ClientEventType.SETTLEMENT_PAID], "portal_types": []},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=member)
    assert (preference.language, preference.email_types, preference.portal_types) == (
        "en",
        ["settlement.paid"],
        [],
    )


def test_an_endpoint_is_created_with_its_secret_shown_once(portal, account, settings):
    response = portal.post(
        reverse("integrations:webhooks"),
        {
            "url": "https://example.com/hooks",
            "description": "ERP",
            "event_types": ClientEventType.values,
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.client == account
    assert endpoint.secret in response.content.decode()
    detail = portal.get(reverse("integrations:webhook", args=[endpoint.pk])).content.decode()
    listing = portal.get(reverse("integrations:webhooks")).content.decode()
    assert endpoint.secret not in detail and endpoint.secret not in listing
    assert endpoint.secret_hint in listing


def test_http_urls_are_refused_in_production(portal, settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    response = portal.post(
        reverse("integrations:webhooks"),
        {"url": "http://example.com/hooks", "event_types": [ClientEventType.BOOST_ACTIVE]},
    )
    assert response.status_code == 200 and "valid https URL" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_test_event_resend_and_the_delivery_log(portal, account, receiver, eager_celery):
    endpoint, _secret = services.create_endpoint(
        client=account, url=receiver.url, event_types=ClientEventType.values, now=T0
    )
    portal.post(reverse("integrations:webhook_test", args=[endpoint.pk]))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.type, delivery.status, delivery.attempts) == ("webhook.test", "delivered", 1)
    portal.post(reverse("integrations:webhook_resend", args=[endpoint.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.requests) == 2
    log = portal.get(reverse("integrations:webhook", args=[endpoint.pk])).content.decode()
    assert log.count("HTTP 200") == 2 and "webhook.test" in log


def test_a_removed_endpoint_gets_nothing_more_and_keeps_its_log(portal, account):
    endpoint, _secret = services.create_endpoint(
        client=account, url="https://example.com/x", event_types=ClientEventType.values, now=T0
    )
    portal.post(reverse("integrations:webhook_remove", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.removed_at is not None and not endpoint.is_active
    factories.publish(factories.boost(account=account), at=T0)
    tasks.dispatch_events()
    assert not WebhookDelivery.objects.exists()
    assert portal.get(reverse("integrations:webhook", args=[endpoint.pk])).status_code == 404


def test_another_clients_endpoint_is_a_404_like_a_missing_one(portal):
    other = factories.client()
    theirs, _secret = services.create_endpoint(
        client=other, url="https://example.com/o", event_types=ClientEventType.values, now=T0
    )
    for name in ("webhook", "webhook_test", "webhook_remove"):
        url = reverse(f"integrations:{name}", args=[theirs.pk])
        foreign = portal.get(url) if name == "webhook" else portal.post(url)
        missing_url = reverse(f"integrations:{name}", args=[theirs.pk + 100])
        missing = portal.get(missing_url) if name == "webhook" else portal.post(missing_url)
        assert foreign.status_code == missing.status_code == 404
    assert WebhookEndpoint.objects.get(pk=theirs.pk).removed_at is None
    assert not WebhookDelivery.objects.exists()


def test_a_token_is_created_shown_once_and_revoked(portal, account, client):
    response = portal.post(reverse("integrations:tokens"), {"name": "BI"})
    token = ClientApiToken.objects.get()
    raw = response.content.decode().split('id="token">')[1].split("<")[0]
    assert raw.startswith(token.prefix) and token.client == account
    assert raw not in portal.get(reverse("integrations:tokens")).content.decode()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(reverse("api:list_boosts"), headers=headers).status_code == 200
    portal.post(reverse("integrations:token_revoke", args=[token.pk]))
    assert client.get(reverse("api:list_boosts"), headers=headers).status_code == 401


def test_pages_need_a_client_user(client, account):
    response = client.get(reverse("integrations:webhooks"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("name", "title", "tab"),
    [
        ("integrations:notifications", "Notifications", "Notifications"),
        ("integrations:preferences", "Notification preferences", "Preferences"),
        ("integrations:webhooks", "Webhooks", "Webhooks"),
        ("integrations:tokens", "API tokens", "API tokens"),
    ],
)
def test_each_integrations_page_is_titled_and_marks_its_tab(portal, name, title, tab):
    html = portal.get(reverse(name)).content.decode()
    assert f"<title>{title} · StarBoost</title>" in html
    assert f"<h1>{title}</h1>" in html
    assert f'aria-current="true">{tab}</a>' in html


def test_an_endpoint_page_is_headed_by_its_url_under_the_webhooks_tab(portal, account):
    endpoint, _secret = services.create_endpoint(
        client=account,
        url="https://example.com/hooks",
        description="",
        event_types=[ClientEventType.BOOST_ACTIVE],
        now=T0,
    )
    html = portal.get(reverse("integrations:webhook", args=[endpoint.pk])).content.decode()
    assert "<title>Webhook endpoint · StarBoost</title>" in html
    assert "<h1>https://example.com/hooks</h1>" in html
    assert 'aria-current="true">Webhooks</a>' in html
