"""Through a real Chromium, the key pages work under the strict Content-Security-Policy: the browser
refuses nothing (no inline style, script or javascript: link), the progress bar still shows its width,
and the API documentation page draws Swagger UI from its own files. Every browser test also fails on
a refusal (conftest.py)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAGES = [
    ("alice", "/"),
    ("alice", "/leads/"),
    ("alice", "/cases/"),
    ("alice", "/subjects/"),
    ("alice", "/inspections/"),
    ("alice", "/leads/new/"),
    ("alice", "/registry/verify/"),
    ("chief", "/reports/"),
    ("dave", "/reports/dashboard/?start=2024-01-01&end=2024-12-31"),
    ("alice", "/jobs/"),
]


def test_key_pages_raise_no_policy_refusal(new_page, log_in, personas):
    for username, path in PAGES:
        page = new_page()
        log_in(page, username)
        response = page.goto(path)
        assert response.status == 200 and "/accounts/login/" not in page.url, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert page.csp_violations == [], (path, page.csp_violations)


def test_public_pages_raise_no_policy_refusal(new_page):
    page = new_page(width=375, height=740, is_mobile=True, has_touch=True)
    for path in ("/public/", "/public/tip/", "/public/track/", "/accounts/login/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.csp_violations == [], (path, page.csp_violations)


def test_api_docs_draw_swagger_ui_under_the_policy(page, log_in, personas):
    log_in(page, "alice")
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("清源")
    assert page.csp_violations == []


def test_an_injected_inline_script_is_refused(page, log_in, personas):
    """The policy is in force: a script written into the page by markup does not run."""
    log_in(page, "alice")
    page.goto("/")
    page.evaluate(
        """() => { const d = document.createElement('div');
        d.innerHTML = '<img src=x onerror="window.__pwned = 1">'; document.body.appendChild(d); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__pwned") is None
    assert any("script-src" in text for text in page.csp_violations)
    page.csp_violations.clear()
