from django.urls import path

from . import views

app_name = "subjects"
urlpatterns = [
    path("", views.subject_list, name="list"),
    path("new/", views.subject_edit, name="create"),
    path("<int:pk>/", views.subject_detail, name="detail"),
    path("<int:pk>/edit/", views.subject_edit, name="edit"),
    path("<int:pk>/persons/new/", views.person_add, name="person_add"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
]
