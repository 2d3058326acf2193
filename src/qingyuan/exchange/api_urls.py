from django.urls import path

from .api import PenaltyFeedView

app_name = "exchange_api"
urlpatterns = [
    path("penalties/", PenaltyFeedView.as_view(), name="penalties"),
]
