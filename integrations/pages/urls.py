"""URLs of the integrations pages of the portal, in the ``integrations`` namespace."""

from django.urls import path

from . import notifications, tokens, webhooks

app_name = "integrations"
urlpatterns = [
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="mark_read"),
    path("notifications/preferences/", notifications.preferences, name="preferences"),
    path("integrations/webhooks/", webhooks.endpoint_list, name="webhooks"),
    path("integrations/webhooks/<int:pk>/", webhooks.endpoint_detail, name="webhook"),
    path("integrations/webhooks/<int:pk>/test/", webhooks.send_test, name="webhook_test"),
    path("integrations/webhooks/<int:pk>/remove/", webhooks.remove, name="webhook_remove"),
    path(
        "integrations/webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        webhooks.resend,
        name="webhook_resend",
    ),
    path("integrations/tokens/", tokens.token_list, name="tokens"),
    path("integrations/tokens/<int:pk>/revoke/", tokens.revoke, name="token_revoke"),
]
