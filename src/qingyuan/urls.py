from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("qingyuan.core.urls")),
    path("accounts/", include("qingyuan.accounts.urls")),
    path("regions/", include("qingyuan.regions.urls")),
    path("registry/", include("qingyuan.registry.urls")),
    path("subjects/", include("qingyuan.subjects.urls")),
    path("leads/", include("qingyuan.leads.urls")),
    path("rules/", include("qingyuan.rules.urls")),
    path("inspections/", include("qingyuan.inspections.urls")),
    path("cases/", include("qingyuan.cases.urls")),
    path("campaigns/", include("qingyuan.campaigns.urls")),
    path("operations/", include("qingyuan.operations.urls")),
    path("oversight/", include("qingyuan.oversight.urls")),
    path("reports/", include("qingyuan.reports.urls")),
    path("liaison/", include("qingyuan.liaison.urls")),
    path("api/", include("qingyuan.api.urls")),
    path("guidance/", include("qingyuan.guidance.urls")),
    path("publication/", include("qingyuan.publication.urls")),
    path("exchange/", include("qingyuan.exchange.urls")),
    path("open311/v2/", include("qingyuan.leads.open311_urls")),
    path("public/verify/", include("qingyuan.registry.public_urls")),
    path("public/guide/", include("qingyuan.guidance.public_urls")),
    path("public/decisions/", include("qingyuan.publication.public_urls")),
    path("public/", include("qingyuan.portal.urls")),
    path("captcha/", include("captcha.urls")),
    path("django-admin/", admin.site.urls),
]

# Chinese error pages (core.errors); the CSRF refusal is settings.CSRF_FAILURE_VIEW.
handler400 = "qingyuan.core.errors.bad_request"
handler403 = "qingyuan.core.errors.permission_denied"
handler404 = "qingyuan.core.errors.page_not_found"
handler500 = "qingyuan.core.errors.server_error"
