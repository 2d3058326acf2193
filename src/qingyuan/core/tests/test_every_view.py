"""No page or endpoint is open to the public by accident: every URL is walked, anonymously."""

import pytest

from .routes import all_routes

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
    "portal:spotcheck_list",
    "portal:spotcheck_detail",
    "captcha-image",
    "captcha-image-2x",
    "captcha-audio",
    "captcha-refresh",
}
ROUTES = all_routes()


@pytest.mark.parametrize(("path", "name"), ROUTES)
def test_anonymous_visitor_cannot_open(client, regions, path, name):
    if name in PUBLIC:
        pytest.skip("public by design")
    response = client.get(path)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"], path
    else:
        assert response.status_code in (401, 403, 404, 405), (path, response.status_code)
