from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.supervision_list, name="list"),
    path("new/", views.supervision_create, name="create"),
    path("<int:pk>/", views.supervision_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.supervision_step, name="step"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/findings/", views.finding_create, name="finding_create"),
    path("visits/<int:pk>/items/", views.rectification_create, name="rectification_create"),
    path(
        "visits/<int:pk>/items/<int:item_pk>/<str:action>/",
        views.rectification_step,
        name="rectification_step",
    ),
]
