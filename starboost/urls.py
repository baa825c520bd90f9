from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("operations.urls")),  # /healthz, /readyz, /metrics
    path("admin/insights/", include("settlements.insights.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("integrations.pages.urls")),
]
