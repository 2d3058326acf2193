"""/reports/: the forms (view, drill-down, export), submissions, ledger import and the dashboard."""

from django.urls import path

from . import dashboard_urls, ledger_urls, submission_urls, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("form/<str:code>/", views.form_view, name="form"),
    path("form/<str:code>/drill/", views.drill, name="drill"),
    path("form/<str:code>/export/<str:fmt>/", views.export, name="export"),
    *submission_urls.urlpatterns,
    *ledger_urls.urlpatterns,
    *dashboard_urls.urlpatterns,
]
