from django.urls import path

from . import grant_views, joint_views, spotcheck_views, views

app_name = "operations"
urlpatterns = [
    path("", views.operation_list, name="list"),
    path("new/", views.operation_create, name="create"),
    path("adjacency/", views.adjacency, name="adjacency"),
    path("<int:pk>/", views.operation_detail, name="detail"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/groups/<int:group_pk>/", views.group_edit, name="group_edit"),
    path("<int:pk>/teams/<int:group_pk>/", joint_views.team_edit, name="team_edit"),
    path("<int:pk>/targets/<int:target_pk>/result/", joint_views.result_report, name="result"),
    path("<int:pk>/<str:action>/", views.operation_action, name="action"),
    path("grants/", grant_views.grant_list, name="grant_list"),
    path("grants/<int:pk>/", grant_views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/revoke/", grant_views.grant_revoke, name="grant_revoke"),
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/new/", views.dispute_create, name="dispute_create"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("spotchecks/", spotcheck_views.spotcheck_list, name="spotcheck_list"),
    path("spotchecks/new/", spotcheck_views.spotcheck_create, name="spotcheck_create"),
    path("spotchecks/<int:pk>/", spotcheck_views.spotcheck_detail, name="spotcheck_detail"),
    path("spotchecks/<int:pk>/published/", spotcheck_views.spotcheck_published, name="spotcheck_published"),
    path(
        "spotchecks/<int:pk>/items/<int:item_pk>/", spotcheck_views.spotcheck_record, name="spotcheck_record"
    ),
    path("spotchecks/<int:pk>/<str:action>/", spotcheck_views.spotcheck_action, name="spotcheck_action"),
]
