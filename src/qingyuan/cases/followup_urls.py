from django.urls import path

from . import followup_views as views

urlpatterns = [
    path("<int:pk>/followup/", views.followup_panel, name="followup_panel"),
    path("<int:pk>/followup/<str:action>/", views.followup_action, name="followup_action"),
    path("referrals/<int:pk>/<str:action>/", views.referral_action, name="referral_action"),
    path("rechecks/", views.recheck_list, name="rechecks"),
    path("rechecks/<int:pk>/<str:action>/", views.recheck_action, name="recheck_action"),
    path("lookbacks/", views.lookback_list, name="lookbacks"),
    path("lookbacks/new/", views.lookback_create, name="lookback_create"),
    path("lookbacks/<int:pk>/", views.lookback_detail, name="lookback_detail"),
]
