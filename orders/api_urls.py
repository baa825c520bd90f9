"""URLs of the ingestion API, mounted under ``/api/``; see ``orders.api``."""

from django.urls import path

from . import api

app_name = "api"
urlpatterns = [
    path("publish", api.publish_endpoint, name="publish"),
    path("views", api.views_endpoint, name="views"),
]
