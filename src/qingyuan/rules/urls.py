from django.urls import path

from . import views

app_name = "rules"
urlpatterns = [
    path("", views.rule_index, name="list"),
    path("offences/<str:code>/", views.offence_detail, name="offence"),
    path("offences/<str:code>/new-version/", views.offence_version_add, name="offence_version_add"),
    path("limits/<str:code>/", views.limit_detail, name="limit"),
    path("limits/<str:code>/new-version/", views.limit_version_add, name="limit_version_add"),
    path("thresholds/<str:code>/", views.threshold_detail, name="threshold"),
    path("thresholds/<str:code>/new-version/", views.threshold_version_add, name="threshold_version_add"),
]
