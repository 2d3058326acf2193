import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The limiter counts in the cache, which outlives a test; every test starts with a clean allowance.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def captcha_test_mode(monkeypatch):
    """The captcha accepts "PASSED" (the library's test mode), only inside the tests that ask for it.
    django-simple-captcha reads its settings once at import, so its own settings module is patched."""
    monkeypatch.setattr("captcha.conf.settings.CAPTCHA_TEST_MODE", True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _private_hold_dir(settings, tmp_path):
    # Files kept between tries of the tip form go to this test's own directory, never to var/.
    settings.QINGYUAN_PORTAL_HOLD_DIR = tmp_path / "tip_hold"
    return settings.QINGYUAN_PORTAL_HOLD_DIR
