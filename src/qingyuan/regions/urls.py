from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("new/", views.region_create, name="create"),
    path("import/", views.region_import, name="import"),
    path("import/template.csv", views.region_template, name="import_template"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_edit, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("<str:code>/", views.region_detail, name="detail"),
    path("<str:code>/edit/", views.region_edit, name="edit"),
]
