"""URLs of the ledger pages (included by reports/urls.py under the reports namespace)."""

urlpatterns = []
