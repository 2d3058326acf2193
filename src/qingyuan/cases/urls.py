from django.urls import include, path

from . import document_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("templates/", document_views.template_admin, name="templates"),
    path("templates/<str:kind>/", document_views.template_download, name="template_download"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/documents/<str:kind>/", document_views.case_document, name="document"),
    path("<int:pk>/actions/<str:action>/", views.case_action, name="action"),
    # Referrals, judgments, crime criteria, re-inspections and look-backs.
    path("", include("qingyuan.cases.followup_urls")),
]
