from django.urls import include, path

from . import views  # noqa: F401

app_name = "cases"
urlpatterns = [
    # Referrals, judgments, crime criteria, re-inspections and look-backs.
    path("", include("qingyuan.cases.followup_urls")),
]
