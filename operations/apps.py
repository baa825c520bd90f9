from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = _("Production operations")

    def ready(self) -> None:
        # Connects the Celery signal receivers that record each sweep's heartbeat.
        from . import heartbeats  # noqa: F401
