"""The portal's app configuration: no models, only pages, their templates and their URLs."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
