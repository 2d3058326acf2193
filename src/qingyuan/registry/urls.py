from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("practitioners/", views.practitioner_list, name="practitioner_list"),
    path("practitioners/<int:pk>/", views.practitioner_detail, name="practitioner_detail"),
    path("verify/", views.verify, name="verify"),
]
