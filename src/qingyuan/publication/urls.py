from django.urls import path

from . import views

app_name = "publication"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.entry_action, name="action"),
]
