from django.urls import path

from . import public_views

app_name = "registry_public"
urlpatterns = [
    path("", public_views.lookup, name="lookup"),
    path("institutions/<int:pk>/", public_views.institution, name="institution"),
    path("institutions/<int:pk>/poster/", public_views.institution_poster, name="institution_poster"),
    path("institutions/<int:pk>/qr.svg", public_views.institution_qr, name="institution_qr"),
]
