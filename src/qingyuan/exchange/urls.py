from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("", views.peers, name="peers"),
    path("peers/<int:pk>/", views.peer_detail, name="peer_detail"),
]
