from django.urls import path

from . import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("templates/", views.feedback_templates, name="templates"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/link/", views.lead_link, name="link"),
    path("<int:pk>/reporter/", views.reporter_reveal, name="reporter"),
    path("<int:pk>/reported-phone/", views.reported_phone_reveal, name="reported_phone"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/<slug:action>/", views.lead_action, name="action"),
]
