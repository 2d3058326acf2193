from django.urls import path

from . import health, job_views, notification_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_list, name="audit_list"),
    path("health/", health.health, name="health"),
    path("workdays/", views.workday_overrides, name="workdays"),
    path("notifications/", notification_views.inbox, name="notifications"),
    path("notifications/read-all/", notification_views.mark_all_read, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", notification_views.open_notification, name="notification_open"),
    path("jobs/", job_views.job_list, name="jobs"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job_download"),
]
