"""Open311 GeoReport v2 (leads.open311), mounted at /open311/v2/. Each resource has a .json and a
.xml address, as the spec has; any other address answers 404 in the spec's error shape."""

from django.urls import path, re_path

from . import open311

app_name = "open311"
urlpatterns = []
for fmt in ("json", "xml"):
    suffix = "" if fmt == "json" else "_xml"
    urlpatterns += [
        path(f"services.{fmt}", open311.ServiceList.as_view(), {"fmt": fmt}, name=f"services{suffix}"),
        path(
            f"services/<slug:code>.{fmt}",
            open311.ServiceDefinition.as_view(),
            {"fmt": fmt},
            name=f"service_definition{suffix}",
        ),
        path(f"requests.{fmt}", open311.Requests.as_view(), {"fmt": fmt}, name=f"requests{suffix}"),
        path(
            f"requests/<slug:request_id>.{fmt}",
            open311.RequestDetail.as_view(),
            {"fmt": fmt},
            name=f"request{suffix}",
        ),
    ]
urlpatterns.append(re_path(r"^.*$", open311.not_found, name="not_found"))
