from django.urls import path

from . import public_api

app_name = "registry_public_api"
urlpatterns = [
    path("institutions/", public_api.InstitutionLookup.as_view(), name="institutions"),
    path("institutions/<int:pk>/", public_api.InstitutionPublicDetail.as_view(), name="institution"),
    path("practitioners/", public_api.PractitionerLookup.as_view(), name="practitioners"),
]
