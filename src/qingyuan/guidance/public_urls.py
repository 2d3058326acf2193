from django.urls import path

from . import public_views

app_name = "guidance_public"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("<slug:topic>/", public_views.page, name="page"),
]
