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
    # Published penalty decisions (行政处罚法 第48条): search and detail.
    "publication_public:list",
    "publication_public:detail",
    "guidance_public:index",
    "guidance_public:page",
    "captcha-image",
    "captcha-image-2x",
    "captcha-audio",
    "captcha-refresh",
    # The licence look-up: page, institution page, its QR code and poster, and the open API.
    "registry_public:lookup",
    "registry_public:institution",
    "registry_public:institution_poster",
    "registry_public:institution_qr",
    "registry_public_api:institutions",
    "registry_public_api:institution",
    "registry_public_api:practitioners",
    # Open311 GeoReport v2 service discovery (the spec's public part; requests need a partner key).
    "open311:services",
    "open311:services_xml",
    "open311:service_definition",
    "open311:service_definition_xml",
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
