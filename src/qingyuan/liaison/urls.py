from django.urls import path

from . import views

app_name = "liaison"

urlpatterns = [
    path("", views.index, name="index"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("referrals/<int:pk>/<str:action>/", views.referral_step, name="referral_step"),
    path("leads/new/", views.lead_transfer, name="lead_transfer"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path(
        "notices/<int:pk>/attachments/<int:attachment_pk>/", views.notice_attachment, name="notice_attachment"
    ),
    path("cases/<int:pk>/drug-source/", views.drug_source, name="drug_source"),
]
