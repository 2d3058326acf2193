from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tip/", views.tip, name="tip"),
    path("tip/locate/", views.tip_locate, name="tip_locate"),
    path("tip/done/", views.tip_done, name="tip_done"),
    path("track/", views.track, name="track"),
]
