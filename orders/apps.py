from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders and clients")

    def ready(self) -> None:
        # Runs after the admin's autodiscovery (django.contrib.admin comes first in
        # INSTALLED_APPS): the pipeline's admin extends what orders.admin registered.
        from . import admin_integrations  # noqa: F401
