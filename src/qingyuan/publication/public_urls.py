from django.urls import path

from . import public_views

app_name = "publication_public"
urlpatterns = [
    path("", public_views.decision_list, name="list"),
    path("<int:pk>/", public_views.decision_detail, name="detail"),
]
