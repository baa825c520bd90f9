"""Staff's pages for integrations: endpoints and tokens created once, deliveries resent."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from integrations import services, tasks
from integrations.models import ClientApiToken, WebhookDelivery, WebhookEndpoint
from orders.models import ClientEvent, ClientEventType
from tests import factories
from tests.factories import T0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_staff_add_an_endpoint_and_see_its_secret_once(admin_client, account):
    response = admin_client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {
            "client": account.pk,
            "url": "https://example.com/h",
            "event_types": ClientEventType.values,
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert any(endpoint.secret in message for message in shown(response))
    page = admin_client.get(
        reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk])
    )
    assert page.status_code == 200 and endpoint.secret not in page.content.decode()
    assert endpoint.secret_hint in page.content.decode()


def test_staff_create_a_client_token_shown_once_and_revoke_it(admin_client, account):
    response = admin_client.post(
        reverse("admin:integrations_clientapitoken_add"),
        {"client": account.pk, "name": "BI"},
        follow=True,
    )
    token = ClientApiToken.objects.get()
    raw = next(w for m in shown(response) for w in m.split() if w.startswith(token.prefix))
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    admin_client.post(
        reverse("admin:integrations_clientapitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ClientApiToken.objects.get().is_active is False


def test_staff_resend_a_delivery_and_read_its_attempts(
    admin_client, account, receiver, eager_celery, django_capture_on_commit_callbacks
):
    endpoint, _secret = services.create_endpoint(
        client=account, url=receiver.url, event_types=ClientEventType.values, now=T0
    )
    factories.publish(factories.boost(account=account), at=T0)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.dispatch_events()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "delivered"
    admin_client.post(
        reverse("admin:integrations_webhookdelivery_changelist"),
        {"action": "resend", "_selected_action": [delivery.pk]},
    )
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and len(receiver.requests) == 2
    page = admin_client.get(
        reverse("admin:integrations_webhookdelivery_change", args=[delivery.pk])
    )
    assert (
        page.status_code == 200
        and page.content.decode().count('<td class="field-status_code"') == 2
    )


@pytest.mark.parametrize(
    "name",
    [
        "integrations_webhookendpoint",
        "integrations_webhookdelivery",
        "integrations_clientapitoken",
        "integrations_emaildelivery",
        "integrations_notification",
        "orders_clientevent",
    ],
)
def test_every_integrations_list_opens(admin_client, account, name):
    factories.publish(factories.boost(account=account), at=T0)
    assert ClientEvent.objects.exists()
    assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
