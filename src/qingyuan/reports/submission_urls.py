"""URLs of the submission pages (included by reports/urls.py under the reports namespace)."""

urlpatterns = []
