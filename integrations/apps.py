"""The integrations app: delivers the outbox (``orders.ClientEvent``) and serves the client API."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Client integrations")

    def ready(self) -> None:
        from orders.services.events import events_committed

        from . import receivers

        # Once a transaction that wrote events commits, fan them out without waiting for beat.
        events_committed.connect(receivers.queue_dispatch, dispatch_uid="integrations-dispatch")
