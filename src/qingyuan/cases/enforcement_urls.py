from django.urls import path

from . import enforcement_views as views

urlpatterns = [
    path("<int:pk>/enforcement/<str:action>/", views.enforcement_step, name="enforcement_step"),
]
