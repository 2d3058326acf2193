from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("qingyuan.core.urls")),
    path("accounts/", include("qingyuan.accounts.urls")),
    path("regions/", include("qingyuan.regions.urls")),
    path("registry/", include("qingyuan.registry.urls")),
    path("subjects/", include("qingyuan.subjects.urls")),
    path("leads/", include("qingyuan.leads.urls")),
    path("api/", include("qingyuan.api.urls")),
    path("django-admin/", admin.site.urls),
]
