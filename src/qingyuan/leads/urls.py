from django.urls import path

from . import feedback_views, reward_views, views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("templates/", views.feedback_templates, name="templates"),
    path("rewards/", reward_views.reward_list, name="rewards"),
    path("rewards/stats/", reward_views.reward_stats, name="reward_stats"),
    path("rewards/standards/", reward_views.reward_standards, name="reward_standards"),
    path("rewards/standards/new/", reward_views.reward_standard_add, name="reward_standard_add"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/reward-claim/", reward_views.reward_claim, name="reward_claim"),
    path("<int:pk>/reward-review/", reward_views.reward_review, name="reward_review"),
    path("<int:pk>/reward-claimant/", reward_views.claimant_reveal, name="reward_claimant"),
    path("<int:pk>/link/", views.lead_link, name="link"),
    path("<int:pk>/subject/", feedback_views.lead_subject_create, name="subject_create"),
    path("<int:pk>/receipt/", feedback_views.lead_receipt, name="receipt"),
    path("<int:pk>/deliver/", feedback_views.lead_deliver, name="deliver"),
    path("<int:pk>/release/", feedback_views.lead_release, name="release"),
    path("<int:pk>/rate/", feedback_views.lead_rate, name="rate"),
    path("<int:pk>/reporter/", views.reporter_reveal, name="reporter"),
    path("<int:pk>/reported-phone/", views.reported_phone_reveal, name="reported_phone"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/<slug:action>/", views.lead_action, name="action"),
]
