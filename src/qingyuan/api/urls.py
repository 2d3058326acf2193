from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from .tokens import TokenRotateView

router = DefaultRouter()
# Each domain app registers its viewsets in its own api.py; the router collects them here.
from qingyuan.cases import api as cases_api  # noqa: E402
from qingyuan.inspections import api as inspections_api  # noqa: E402
from qingyuan.leads import api as leads_api  # noqa: E402
from qingyuan.registry import api as registry_api  # noqa: E402
from qingyuan.reports import api as reports_api  # noqa: E402
from qingyuan.subjects import api as subjects_api  # noqa: E402

from . import schema  # noqa: E402, F401  (registers the partner key's OpenAPI security scheme)

registry_api.register(router)
leads_api.register(router)
reports_api.register(router)
subjects_api.register(router)
inspections_api.register(router)
cases_api.register(router)

urlpatterns = [
    path("v1/public/", include("qingyuan.registry.public_api_urls")),
    path("v1/exchange/", include("qingyuan.exchange.api_urls")),
    path("v1/auth/token/rotate/", TokenRotateView.as_view(), name="api-token-rotate"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (core/headers.py).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
