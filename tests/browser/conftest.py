"""Real-browser tests: Playwright's sync API drives the system Chromium against pytest-django's live server.

- The browser is Debian's `chromium` (or $CHROMIUM_PATH); Playwright's own browser downloads are never used.
  Without a Chromium the tests are skipped with the reason, except under CI (CI=true), where they fail.
- Pages need the pinned Bootstrap/htmx in var/vendor, so the session runs `manage.py fetch_assets` first
  (a no-op when they are already there; one test process at a time) and fails with a clear message if
  it cannot.
- live_server serves static files through the staticfiles finders, so var/vendor is served as /static/vendor/.
"""

import fcntl
import os
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command

# _tasks_run_at_once: a job queued by a page runs in the live server as the request commits, and
# nothing is sent to the development queue under var/.
from qingyuan.conftest import (  # noqa: F401
    PASSWORD,
    _fast_password_hashing,
    _tasks_run_at_once,
    personas,
    regions,
    units,
)

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def _truthy(value):
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def find_chromium():
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for candidate in CHROMIUM_CANDIDATES:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        reason = (
            "no Chromium found (looked for $CHROMIUM_PATH, /usr/bin/chromium, chromium, chromium-browser, "
            "google-chrome); install it with `apt-get install chromium fonts-noto-cjk` to run the browser tests"
        )
        if _truthy(os.environ.get("CI")):
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def vendor_assets():
    """The pinned Bootstrap/htmx in var/vendor (fetched once from the npm registry if missing)."""
    try:
        # One process fetches, the others wait and then find the files in place: make test runs the
        # suite in several processes, and a file rewritten while another serves it arrives cut short.
        with open(settings.VENDOR_DIR / ".fetch.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            call_command("fetch_assets", verbosity=0)
    except Exception as exc:
        pytest.fail(
            f"`manage.py fetch_assets` failed ({exc!r}); the browser tests need Bootstrap and htmx in "
            f"{settings.VENDOR_DIR}. Run `make setup` with access to the npm registry.",
            pytrace=False,
        )
    css = settings.VENDOR_DIR / "bootstrap" / "bootstrap.min.css"
    if not css.is_file() or css.stat().st_size < 10_000:
        pytest.fail(f"{css} is missing or empty after fetch_assets", pytrace=False)
    return settings.VENDOR_DIR


@pytest.fixture(scope="session")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API keeps an asyncio loop in this thread; Django would then refuse ORM calls from
    # test code and fixtures ("You cannot call this from an async context"). They are synchronous here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path,
                headless=not _truthy(os.environ.get("HEADED")),
                args=["--disable-dev-shm-usage", "--disable-gpu"],
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server, vendor_assets):
    """new_page(width=1280, height=800) -> a Page in a fresh browser context pointed at the live server.

    Every page records responses >= 400 and failed requests in `page.bad_responses`, and the browser's
    Content-Security-Policy refusals in `page.csp_violations`; a test that ends with a refusal fails:
    a page the policy breaks (an inline style or script) is worse than no policy.
    """
    pages = []
    contexts = []

    def _new_page(width=1280, height=800, **context_options):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": width, "height": height},
            **context_options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.bad_responses = []

        def record(response):
            if response.status >= 400:
                page.bad_responses.append(f"{response.status} {response.url}")

        page.on("response", record)

        def failed(request):
            # A request the browser itself dropped because the page moved on (a navigation while a
            # look-up was in flight) is ordinary browsing, not a failure of the server.
            if "ERR_ABORTED" not in (request.failure or ""):
                page.bad_responses.append(f"failed {request.url} {request.failure}")

        page.on("requestfailed", failed)
        page.csp_violations = []
        page.on(
            "console",
            lambda message: (
                page.csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        pages.append(page)
        return page

    yield _new_page
    violations = [text for page in pages for text in page.csp_violations]
    for context in contexts:
        context.close()
    assert not violations, violations


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def log_in():
    """log_in(page, username, password=PASSWORD): fill in and submit the real login form."""

    def _log_in(page, username, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("用户名", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("load")

    return _log_in


def restore_seed_data():
    """The rules and checklists that migrations load. A browser test's database is flushed after each
    test (live_server needs real transactions); the root conftest reloads the migrated data before every
    such test, and this checks that the two a page cannot work without are there."""
    import importlib

    from django.apps import apps

    from qingyuan.inspections.models import ChecklistTemplate
    from qingyuan.rules.models import Offence

    if not Offence.objects.exists():
        importlib.import_module("qingyuan.rules.migrations.0002_load_rules").load(apps, None)
    if not ChecklistTemplate.objects.exists():
        importlib.import_module("qingyuan.inspections.migrations.0002_load_checklists").load(apps, None)


@pytest.fixture
def seed_data(db):
    restore_seed_data()
