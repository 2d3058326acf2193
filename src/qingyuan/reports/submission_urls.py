"""URLs of the submission pages (included by reports/urls.py under the reports namespace)."""

from django.urls import path

from . import submission_views as views

urlpatterns = [
    path("form/<str:code>/submission/", views.panel, name="submission_panel"),
    path("form/<str:code>/submit/", views.submit, name="submission_submit"),
    path("submissions/", views.submission_list, name="submission_list"),
    path("submissions/<int:pk>/", views.detail, name="submission_detail"),
    path("submissions/<int:pk>/return/", views.return_view, name="submission_return"),
    path("submissions/<int:pk>/accept/", views.accept_view, name="submission_accept"),
    path("submissions/<int:pk>/export/<str:fmt>/", views.export, name="submission_export"),
    path("rollup/", views.rollup_view, name="rollup"),
    path("rollup/submit/", views.rollup_submit, name="rollup_submit"),
]
