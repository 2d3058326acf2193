"""No page or endpoint is open to the public by accident: every URL is walked, anonymously."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The only URLs the public may open: the public portal's pages (tip, tracking; no login by design)
# and the captcha images and refresh the tip form shows.
PUBLIC = {
    "accounts:login",
    "core:health",
    "portal:home",
    "portal:tip",
    "portal:tip_locate",
    "portal:tip_done",
    "portal:track",
    "portal:public_cases",
    "portal:public_case",
    "captcha-image",
    "captcha-image-2x",
    "captcha-audio",
    "captcha-refresh",
}
SAMPLE_ARGS = {"pk": "1", "code": "320506", "format": "json"}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}" if namespace else entry.name


def _concrete(route):
    import re

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_ARGS.get(m.group(1), "1"), route)
    path = path.lstrip("^").rstrip("$").replace("\\.", ".")
    if any(ch in path for ch in "()[]?*+\\"):
        return None  # a regex route (e.g. the API router's format suffixes); its plain twin is tested
    return "/" + path


ROUTES = sorted(
    {
        (_concrete(route), name)
        for route, name in _walk(get_resolver().url_patterns)
        if _concrete(route) and not route.startswith("django-admin")
    }
)


@pytest.mark.parametrize(("path", "name"), ROUTES)
def test_anonymous_visitor_cannot_open(client, regions, path, name):
    if name in PUBLIC:
        pytest.skip("public by design")
    response = client.get(path)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"], path
    else:
        assert response.status_code in (401, 403, 404, 405), (path, response.status_code)
