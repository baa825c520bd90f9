"""The operator insights pages, mounted at ``/admin/insights/`` (see ``starboost/urls.py``)."""

from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.insights_view, name="index"),
    path("backtest/", views.backtest_view, name="backtest"),
    path("calibration/", views.calibration_view, name="calibration"),
    path("book/", views.book_view, name="book"),
]
