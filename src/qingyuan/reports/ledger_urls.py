"""URLs of the ledger pages (included by reports/urls.py under the reports namespace)."""

from django.urls import path

from . import ledger_views

urlpatterns = [
    path("ledger/", ledger_views.ledger_index, name="ledger"),
    path("ledger/<int:pk>/", ledger_views.ledger_detail, name="ledger_detail"),
    path("ledger/template.xlsx", ledger_views.ledger_template_download, name="ledger_template"),
    path(
        "ledger/template-flat.xlsx", ledger_views.ledger_flat_template_download, name="ledger_flat_template"
    ),
    path("ledger/template/<str:kind>.csv", ledger_views.ledger_csv_download, name="ledger_csv_template"),
]
