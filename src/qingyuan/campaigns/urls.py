from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/plan/new/", views.plan_create, name="plan_create"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("<int:pk>/phases/new/", views.phase_add, name="phase_add"),
    path("<int:pk>/requirements/new/", views.requirement_add, name="requirement_add"),
    path("<int:pk>/duties/new/", views.duty_add, name="duty_add"),
    path("<int:pk>/sweep/", views.sweep_record, name="sweep"),
    path("<int:pk>/outreach/new/", views.outreach_add, name="outreach_add"),
    path("<int:pk>/media/new/", views.media_add, name="media_add"),
    path("phases/<int:pk>/edit/", views.phase_edit, name="phase_edit"),
    path("requirements/<int:pk>/edit/", views.requirement_edit, name="requirement_edit"),
    path("duties/<int:pk>/edit/", views.duty_edit, name="duty_edit"),
    path("duties/<int:pk>/complete/", views.duty_complete, name="duty_complete"),
]
