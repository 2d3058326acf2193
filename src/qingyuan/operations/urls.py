from django.urls import path

from . import views

app_name = "operations"
urlpatterns = [
    path("", views.operation_list, name="list"),
    path("new/", views.operation_create, name="create"),
    path("adjacency/", views.adjacency, name="adjacency"),
    path("<int:pk>/", views.operation_detail, name="detail"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/groups/<int:group_pk>/", views.group_edit, name="group_edit"),
    path("<int:pk>/targets/<int:target_pk>/result/", views.result_report, name="result"),
    path("<int:pk>/<str:action>/", views.operation_action, name="action"),
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/new/", views.dispute_create, name="dispute_create"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("spotchecks/", views.spotcheck_list, name="spotcheck_list"),
    path("spotchecks/new/", views.spotcheck_create, name="spotcheck_create"),
    path("spotchecks/<int:pk>/", views.spotcheck_detail, name="spotcheck_detail"),
    path("spotchecks/<int:pk>/published/", views.spotcheck_published, name="spotcheck_published"),
    path("spotchecks/<int:pk>/items/<int:item_pk>/", views.spotcheck_record, name="spotcheck_record"),
    path("spotchecks/<int:pk>/<str:action>/", views.spotcheck_action, name="spotcheck_action"),
]
