from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit_list"),
    path("health/", views.health, name="health"),
    path("workdays/", views.workday_overrides, name="workdays"),
]
