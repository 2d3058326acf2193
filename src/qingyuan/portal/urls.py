from django.urls import path

from . import spotcheck_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tip/", views.tip, name="tip"),
    path("tip/locate/", views.tip_locate, name="tip_locate"),
    path("tip/done/", views.tip_done, name="tip_done"),
    path("track/", views.track, name="track"),
    path("cases/", views.public_cases, name="public_cases"),
    path("cases/<int:pk>/", views.public_case, name="public_case"),
    path("spotchecks/", spotcheck_views.public_spotchecks, name="spotcheck_list"),
    path("spotchecks/<int:pk>/", spotcheck_views.public_spotcheck, name="spotcheck_detail"),
    # Officers' pages (login required): proposing, reviewing, publishing typical cases.
    path("typical/", views.typical_list, name="typical_list"),
    path("typical/<int:pk>/", views.typical_detail, name="typical_detail"),
    path("typical/propose/<int:case_pk>/", views.typical_propose, name="typical_propose"),
    path("typical/<int:pk>/<str:action>/", views.typical_action, name="typical_action"),
]
