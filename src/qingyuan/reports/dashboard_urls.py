"""URLs of the dashboard (included by reports/urls.py under the reports namespace)."""

from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
]
