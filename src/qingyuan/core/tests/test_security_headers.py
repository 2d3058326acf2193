"""Every response carries the security headers: a strict Content-Security-Policy (no inline script or
style), Permissions-Policy, X-Frame-Options, Referrer-Policy and nosniff. Every URL pattern is
walked by a signed-in inspector and by an anonymous visitor."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from qingyuan.core.headers import API_DOCS_POLICY, STRICT_POLICY

from .routes import all_routes

ROUTES = all_routes()
EXPECTED = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def _problems(path, response):
    found = []
    csp = response.get("Content-Security-Policy", "")
    want = API_DOCS_POLICY if path.startswith("/api/docs/") else STRICT_POLICY
    if csp != want:
        found.append(f"{path}: Content-Security-Policy {csp!r}")
    for name, value in EXPECTED.items():
        if response.get(name) != value:
            found.append(f"{path}: {name} {response.get(name)!r}")
    permissions = response.get("Permissions-Policy", "")
    if "camera=(self)" not in permissions or "microphone=()" not in permissions:
        found.append(f"{path}: Permissions-Policy {permissions!r}")
    return found


def test_strict_policy_allows_no_inline_code():
    for directive in (
        "script-src 'self';",
        "style-src 'self';",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in STRICT_POLICY + ";"
    assert "unsafe" not in STRICT_POLICY


@pytest.mark.parametrize("persona", ["alice", "chief", None])
def test_every_page_has_the_security_headers(login, client, persona):
    browser = login(persona) if persona else client
    problems = []
    checked = 0
    for path, _name in ROUTES:
        response = browser.get(path)
        checked += 1
        problems += _problems(path, response)
    assert checked > 100
    assert not problems, problems


def test_api_docs_page_loads_its_script_from_a_file(login):
    """Swagger UI's start-up script comes from a URL (script-src 'self'), not an inline block."""
    browser = login("alice")
    html = browser.get("/api/docs/").content.decode()
    assert re.search(r"<script>\s*\S", html) is None
    assert browser.get("/api/docs/?script=").status_code == 200


def test_templates_have_no_inline_style_or_script():
    """A style attribute, a <script> or <style> block or a javascript: link would be blocked by the
    policy; templates set layout through classes in static/css and behaviour in static/js."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        # Template tags and comments are not markup (an include's style="success" is an argument).
        text = re.sub(r"{%.*?%}|{#.*?#}", "", template.read_text(encoding="utf-8"), flags=re.S)
        for pattern in (
            r"\sstyle=\"",
            r"<style",
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)",
            r"javascript:",
            r"\son[a-z]+=\"",
        ):
            if re.search(pattern, text):
                offenders.append(f"{template.name}: {pattern}")
    assert not offenders, offenders
