"""Production configuration: the keys a server refuses to start without, Django's deployment checks,
the client address behind trusted proxies (one address for lockout, rate limits and audit), request
ids, CSRF over HTTPS behind the proxy, and rate limits counted across processes in Redis."""

import re
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory, override_settings

from qingyuan.conftest import PASSWORD
from qingyuan.core.middleware import client_ip
from qingyuan.core.models import AuditEvent
from qingyuan.leads.models import Lead

HOST = "qingyuan.example.gov.cn"
ORIGIN = f"https://{HOST}"
PROXY = "127.0.0.1"
REDIS_TEST_URL = "redis://127.0.0.1:6379/5"


# --- start-up -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ((), "SECRET_KEY"),
        (("SECRET_KEY",), "QINGYUAN_FIELD_KEYS"),
        (("SECRET_KEY", "QINGYUAN_FIELD_KEYS"), "QINGYUAN_INDEX_KEY"),
        (("SECRET_KEY", "QINGYUAN_FIELD_KEYS", "QINGYUAN_INDEX_KEY"), "QINGYUAN_AUDIT_KEY"),
    ],
)
def test_server_without_a_key_refuses_to_start_and_names_it(manage, new_keys, tmp_path, given, missing):
    keys = new_keys()
    done = manage("check", env={"QINGYUAN_VAR_DIR": tmp_path, **{name: keys[name] for name in given}})
    assert done.returncode != 0
    assert f"缺少环境变量 {missing}：生产环境必须由部署方提供" in done.stderr
    # It made up no key of its own either.
    assert not [p.name for p in tmp_path.iterdir() if p.is_file()]


def test_documented_production_environment_passes_the_deploy_checks(manage, new_keys, tmp_path):
    env = {
        "DEBUG": "0",
        **new_keys(),
        "ALLOWED_HOSTS": HOST,
        "HTTPS": "1",
        "CSRF_TRUSTED_ORIGINS": ORIGIN,
        "QINGYUAN_TRUSTED_PROXIES": "127.0.0.1,::1",
        "REDIS_URL": REDIS_TEST_URL,
        "QINGYUAN_VAR_DIR": tmp_path,
    }
    assert len(env["SECRET_KEY"]) >= 50
    done = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    probe = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_PROXY_SSL_HEADER[0], s.CACHES['default']['BACKEND'].rsplit('.', 1)[1], s.HUEY['huey_class'])"
    )
    done = manage("shell", "-c", probe, env=env)
    assert done.stdout.strip().splitlines()[-1] == (
        "__Host-qy-session __Host-qy-csrftoken True True HTTP_X_FORWARDED_PROTO RedisCache huey.RedisHuey"
    )


# --- the client address -------------------------------------------------------------------------


def _request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@override_settings(QINGYUAN_TRUSTED_PROXIES=[PROXY])
def test_forwarded_header_from_an_untrusted_peer_is_ignored():
    assert client_ip(_request("198.51.100.4", "10.9.9.9")) == "198.51.100.4"


@override_settings(QINGYUAN_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_never_read():
    assert client_ip(_request(PROXY, "203.0.113.7")) == PROXY


@override_settings(QINGYUAN_TRUSTED_PROXIES=[PROXY, "10.1.0.0/24", "::1"])
def test_chain_through_trusted_proxies_gives_the_nearest_untrusted_hop():
    # The left-most entry is whatever the browser sent; the right-most untrusted hop is the client.
    assert client_ip(_request(PROXY, "6.6.6.6, 203.0.113.7, 10.1.0.5")) == "203.0.113.7"
    assert client_ip(_request("::1", "2001:db8::7")) == "2001:db8::7"
    assert client_ip(_request(PROXY, "203.0.113.7")) == "203.0.113.7"


@pytest.mark.parametrize("header", ["not-an-address", "203.0.113.7, <script>", "203.0.113.7,,1.2.3", ""])
@override_settings(QINGYUAN_TRUSTED_PROXIES=[PROXY])
def test_garbage_in_the_header_falls_back_to_the_peer(header):
    assert client_ip(_request(PROXY, header)) == PROXY


def _login_via_proxy(username, password, client_address):
    return Client().post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_address,
    )


@override_settings(QINGYUAN_TRUSTED_PROXIES=[PROXY])
def test_five_failures_from_one_forwarded_address_lock_that_address_only(personas):
    for name in ["alice", "bob", "carol", "dave", "chief"]:
        _login_via_proxy(name, "wrong", "203.0.113.7")
    # Everyone reaches the app from the proxy's address; only the forwarded client is locked out.
    assert _login_via_proxy("clerk", PASSWORD, "203.0.113.7").status_code == 429
    assert _login_via_proxy("clerk", PASSWORD, "203.0.113.8").status_code == 302
    assert AuditEvent.objects.filter(action="lockout").exists()


@override_settings(QINGYUAN_TRUSTED_PROXIES=[PROXY])
def test_login_and_failure_are_audited_with_the_forwarded_client_address(personas):
    _login_via_proxy("alice", "wrong", "203.0.113.21")
    _login_via_proxy("alice", PASSWORD, "203.0.113.22")
    assert AuditEvent.objects.get(action="login_failed", target_repr="alice").ip == "203.0.113.21"
    assert AuditEvent.objects.get(action="login", actor_name="alice").ip == "203.0.113.22"


# --- request ids ----------------------------------------------------------------------------------


def _intake():
    return {
        "channel": "phone",
        "received_at": "2026-11-20T09:30",
        "category": "unlicensed",
        "content": "金星村有人开黑诊所",
        "place": "苏州市吴中区木渎镇金星村12号",
        "practice_content": "internal",
        "anonymous": "on",
    }


@pytest.mark.parametrize("offered", ["a" * 65, "abc def<script>", "短的编号abc", "x" * 7])
def test_unsafe_request_id_is_replaced_and_the_audited_write_succeeds(login, units, offered):
    response = login("clerk").post("/leads/new/", _intake(), HTTP_X_REQUEST_ID=offered)
    assert response.status_code == 302
    event = AuditEvent.objects.get(target_type="leads.lead", action="create")
    assert event.request_id != offered and re.fullmatch(r"[0-9a-f]{32}", event.request_id)
    assert Lead.objects.count() == 1


def test_proxys_request_id_is_kept_for_tracing(login, units):
    offered = uuid.uuid4().hex
    assert login("clerk").post("/leads/new/", _intake(), HTTP_X_REQUEST_ID=offered).status_code == 302
    assert AuditEvent.objects.get(target_type="leads.lead", action="create").request_id == offered


# --- CSRF over HTTPS behind the proxy --------------------------------------------------------------

# What HTTPS=1 and QINGYUAN_TRUSTED_PROXIES=127.0.0.1 give in settings.py (read once at start, so
# overridden here; test_documented_production_environment_passes_the_deploy_checks reads the real ones).
BEHIND_HTTPS_PROXY = {
    "QINGYUAN_TRUSTED_PROXIES": [PROXY],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "__Host-qy-session",
    "CSRF_COOKIE_NAME": "__Host-qy-csrftoken",
    "ALLOWED_HOSTS": [HOST],
    "CSRF_TRUSTED_ORIGINS": [ORIGIN],
}


def _browser():
    """A browser whose requests reach the app through nginx over HTTPS, with CSRF enforced."""
    return Client(
        enforce_csrf_checks=True,
        REMOTE_ADDR=PROXY,
        HTTP_HOST=HOST,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="203.0.113.30",
    )


def _csrf_token(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    cookie = page.cookies["__Host-qy-csrftoken"]
    assert cookie["secure"] and cookie["path"] == "/"
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


@pytest.mark.parametrize("source", [{"HTTP_ORIGIN": ORIGIN}, {"HTTP_REFERER": f"{ORIGIN}/accounts/login/"}])
@override_settings(**BEHIND_HTTPS_PROXY)
def test_login_over_https_behind_the_proxy_passes_csrf(personas, source):
    client = _browser()
    token = _csrf_token(client)
    data = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    response = client.post("/accounts/login/", data, **source)
    assert response.status_code == 302 and "__Host-qy-session" in response.cookies


@override_settings(**BEHIND_HTTPS_PROXY)
def test_login_posted_from_another_origin_is_refused(personas):
    client = _browser()
    token = _csrf_token(client)
    data = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert client.post("/accounts/login/", data, HTTP_ORIGIN="https://evil.example").status_code == 403


@override_settings(**BEHIND_HTTPS_PROXY)
def test_plain_http_through_the_proxy_is_redirected_to_https(personas):
    response = Client(REMOTE_ADDR=PROXY, HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="http").get(
        "/accounts/login/"
    )
    assert response.status_code == 301 and response["Location"] == f"{ORIGIN}/accounts/login/"


# --- rate limits across processes -------------------------------------------------------------------


@pytest.fixture
def redis_caches():
    """Two independent cache clients on Redis db 5, as two app-server processes each have their own."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis 不可达（redis://127.0.0.1:6379/5）：跨进程计数需要 Redis")
    prefix = f"qy-test-{uuid.uuid4().hex}"
    caches = [RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": prefix}) for _ in range(2)]
    yield caches
    client = redis.Redis.from_url(REDIS_TEST_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_portal_rate_limit_holds_across_processes_sharing_redis(redis_caches, settings, monkeypatch):
    from qingyuan.portal import ratelimit

    settings.QINGYUAN_PORTAL_RATES = {**settings.QINGYUAN_PORTAL_RATES, "tip": (3, 3600)}
    first, second = redis_caches
    assert first._cache is not second._cache  # two clients, as in two processes
    request = _request("198.51.100.77")

    def hit(cache):
        monkeypatch.setattr(ratelimit, "cache", cache)
        return ratelimit.over_limit(request, "tip")

    assert [hit(first), hit(second), hit(first)] == [False, False, False]
    # The fourth request is refused whichever process serves it.
    assert hit(second) is True and hit(first) is True
    # Another client address has its own allowance.
    assert ratelimit.over_limit(_request("198.51.100.78"), "tip") is False
