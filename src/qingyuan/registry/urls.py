from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/new/", views.institution_edit, name="institution_create"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("practitioners/", views.practitioner_list, name="practitioner_list"),
    path("practitioners/new/", views.practitioner_edit, name="practitioner_create"),
    path("practitioners/<int:pk>/", views.practitioner_detail, name="practitioner_detail"),
    path("practitioners/<int:pk>/edit/", views.practitioner_edit, name="practitioner_edit"),
    path("verify/", views.verify, name="verify"),
    path("import/", views.import_start, name="import"),
    path("import/template/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
]
