"""Qingyuan settings: one module, every deployment knob read from the environment.

Defaults are safe for a newcomer's laptop (SQLite under var/, DEBUG off unless asked for);
production sets DATABASE_URL, SECRET_KEY, QINGYUAN_FIELD_KEYS and ALLOWED_HOSTS.
"""

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SRC_DIR.parent
VAR_DIR = Path(os.environ.get("QINGYUAN_VAR_DIR", BASE_DIR / "var"))
# Keys, the SQLite database and uploads live here: the platform's own account only.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The embedded development setup (scripts/dev.sh: make run / setup / test) generates its own keys
# under var/ on first use. Anywhere else (DEBUG off, no QINGYUAN_DEV_KEYS) a missing key stops the
# process at start: a server that made up its own keys would write data no other server can read.
DEV_KEYS = DEBUG or env_bool("QINGYUAN_DEV_KEYS", False)


def secret_from_env_or_file(name: str, filename: str, generate) -> str:
    """A secret from the environment; in the embedded setup, one generated once and kept under var/."""
    value = os.environ.get(name)
    if value:
        return value.strip()
    if not DEV_KEYS:
        raise ImproperlyConfigured(
            f"缺少环境变量 {name}：生产环境必须由部署方提供（见 docs/deployment.md“密钥”）。"
            f" {name} is not set; production must provide it (docs/deployment.md)."
        )
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


def _new_field_key() -> str:
    return "k1:" + base64.b64encode(os.urandom(32)).decode()


def _new_index_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


SECRET_KEY = secret_from_env_or_file("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(48))
# Field-encryption keys: "kid:base64key,kid2:base64key2"; the first encrypts, all decrypt (rotation).
QINGYUAN_FIELD_KEYS = secret_from_env_or_file("QINGYUAN_FIELD_KEYS", "field_keys", _new_field_key)
# Key of the keyed hashes that make ID numbers and phones searchable (base64, 32 bytes).
QINGYUAN_INDEX_KEY = secret_from_env_or_file("QINGYUAN_INDEX_KEY", "index_key", _new_index_key)
# Key of the HMAC that chains the audit log (base64, 32 bytes). It is kept out of the database so that
# someone who can write the database cannot recompute the chain after deleting or editing rows
# (core.audit; docs/security.md). Never change it: rows written under it verify only with it.
QINGYUAN_AUDIT_KEY = secret_from_env_or_file("QINGYUAN_AUDIT_KEY", "audit_key", _new_index_key)
# The keyed hash of new audit rows and checkpoints: sha256 (HMAC-SHA256) or sm3 (HMAC-SM3, for
# deployments that must use national cryptography). Rows keep the scheme they were written with.
QINGYUAN_AUDIT_HASH = os.environ.get("QINGYUAN_AUDIT_HASH", "sha256").strip().lower()
# Penalty-record exchange with other regions' platforms (docs/exchange.md). When enabled, production
# must provide both keys: the Ed25519 key that signs this platform's feed (base64 of the raw 32-byte
# private key) and the exchange index key the participating regions agreed on out of band (base64,
# 32 bytes), under which ID numbers are hashed for matching.
QINGYUAN_EXCHANGE_ENABLED = env_bool("QINGYUAN_EXCHANGE_ENABLED", DEV_KEYS)
QINGYUAN_EXCHANGE_SIGNING_KEY = QINGYUAN_EXCHANGE_INDEX_KEY = ""
if QINGYUAN_EXCHANGE_ENABLED:
    QINGYUAN_EXCHANGE_SIGNING_KEY = secret_from_env_or_file(
        "QINGYUAN_EXCHANGE_SIGNING_KEY", "exchange_signing_key", _new_index_key
    )
    QINGYUAN_EXCHANGE_INDEX_KEY = secret_from_env_or_file(
        "QINGYUAN_EXCHANGE_INDEX_KEY", "exchange_index_key", _new_index_key
    )
if QINGYUAN_AUDIT_HASH not in {"sha256", "sm3"}:
    raise ImproperlyConfigured(f"QINGYUAN_AUDIT_HASH must be sha256 or sm3, got {QINGYUAN_AUDIT_HASH!r}")
# Signed checkpoints of the audit chain's head (append-only JSON lines, 0600), outside the database:
# a truncated or rewritten chain no longer matches them. Back it up with the database.
QINGYUAN_AUDIT_ANCHOR_DIR = Path(os.environ.get("QINGYUAN_AUDIT_ANCHOR_DIR", VAR_DIR / "audit_anchors"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "qingyuan.core",
    "qingyuan.regions",
    "qingyuan.accounts",
    "qingyuan.registry",
    "qingyuan.subjects",
    "qingyuan.leads",
    "qingyuan.rules",
    "qingyuan.inspections",
    "qingyuan.cases",
    "qingyuan.campaigns",
    "qingyuan.operations",
    "qingyuan.reports",
    "qingyuan.api",
    "qingyuan.portal",
    "qingyuan.oversight",
    "qingyuan.liaison",
    "qingyuan.guidance",
    "qingyuan.publication",
    "qingyuan.exchange",
    "captcha",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "qingyuan.core.headers.SecurityHeadersMiddleware",
    "qingyuan.core.inputs.RejectNulQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qingyuan.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qingyuan.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qingyuan.urls"
WSGI_APPLICATION = "qingyuan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qingyuan.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'qingyuan.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while an import writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "qingyuan.accounts.validators.CharacterClassValidator"},
]
# Checkbox and radio lists as Bootstrap form-checks in every form (core.widgets).
FORM_RENDERER = "qingyuan.core.widgets.FormRenderer"
# A refused form (expired page, cookies off) explains itself in Chinese instead of Django's English page.
CSRF_FAILURE_VIEW = "qingyuan.core.errors.csrf_failure"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# 等保 2.0: lock after 5 failures for 30 minutes, by account and by client address separately.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The address behind trusted proxies, the same one rate limits and the audit log use.
AXES_CLIENT_IP_CALLABLE = "qingyuan.core.middleware.axes_client_ip"

# Two-factor login (TOTP): available to everyone, required for the three administrator roles.
OTP_TOTP_ISSUER = "清源"

# Sessions: 12 hours at most in all; 30 minutes idle is enforced by SessionPolicyMiddleware.
SESSION_COOKIE_AGE = 12 * 3600
SESSION_IDLE_SECONDS = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Served over HTTPS (HTTPS=1): secure cookies with the __Host- prefix (bound to this host, path /),
# HSTS, and http:// redirected to https:// (nginx does it first; /health/ stays reachable over http
# for the local probe).
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SESSION_COOKIE_NAME = "__Host-qy-session"
    CSRF_COOKIE_NAME = "__Host-qy-csrftoken"
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
# Preloading is a commitment for the whole domain that the bureau's network office makes, not the app.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: comma-separated addresses
# or networks (QINGYUAN_TRUSTED_PROXIES=127.0.0.1,10.1.0.0/24). The client is the nearest address in
# X-Forwarded-For that is not one of them (core.middleware.client_ip); login lockout, rate limits and
# the audit log all use that one address. Unset: REMOTE_ADDR, and forwarded headers are ignored.
QINGYUAN_TRUSTED_PROXIES = env_list("QINGYUAN_TRUSTED_PROXIES")
if QINGYUAN_TRUSTED_PROXIES:
    # Only the proxy can reach the app server (it listens on 127.0.0.1 or a socket), and nginx
    # overwrites the header, so the scheme it reports is the one the browser used.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Chinese for every user, whatever language the browser asks for (no LocaleMiddleware).
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Third-party browser assets are fetched from the npm registry at install time (assets.lock.json,
# `manage.py fetch_assets`) into var/vendor and served by the platform itself: no CDN.
VENDOR_DIR = VAR_DIR / "vendor"
VENDOR_DIR.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", VENDOR_DIR)]
WHITENOISE_USE_FINDERS = True

MEDIA_ROOT = Path(os.environ.get("QINGYUAN_STORAGE_DIR", VAR_DIR / "storage"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
REGISTRY_IMPORT_MAX_BYTES = int(os.environ.get("REGISTRY_IMPORT_MAX_BYTES", str(512 * 1024 * 1024)))

FILTERS_EMPTY_CHOICE_LABEL = "全部"

# Shared cache: Redis in production (REDIS_URL=redis://127.0.0.1:6379/0): rate limits and anything
# else counted across processes and machines. Local memory only for the single-process embedded setup.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "qy"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Task queue (Huey, see docs/deployment.md "后台任务"): every piece of long work and every scheduled
# job. Production: Redis (TASKS_REDIS_URL, else REDIS_URL), any number of workers on any machines
# (`manage.py run_huey --no-periodic`) and one scheduler (`manage.py run_huey` with the schedule).
# Embedded: a SQLite file under var/ and one consumer that `make run` starts beside the web server.
# Tests run each task at once in the caller (conftest sets immediate mode).
TASKS_REDIS_URL = os.environ.get("TASKS_REDIS_URL") or REDIS_URL
if TASKS_REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("TASKS_QUEUE_NAME", "qingyuan"),
        "url": TASKS_REDIS_URL,
        "immediate": False,
        "results": False,
        "utc": True,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "qingyuan",
        "filename": str(VAR_DIR / "tasks.sqlite3"),
        "immediate": False,
        "results": False,
        "utc": True,
    }
HUEY["consumer"] = {"workers": int(os.environ.get("TASK_WORKERS", "2")), "worker_type": "thread"}
# Notifications by e-mail (core.notifications, sent on the task queue to the users who ask for it):
# nothing is sent until EMAIL_HOST is set. QINGYUAN_SITE_URL makes the link in the message absolute.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qingyuan@localhost")
QINGYUAN_SITE_URL = os.environ.get("QINGYUAN_SITE_URL", "")
# Where fines are paid, as the 行政处罚决定书 and 催告书 print it (开户银行、账号). Empty: the documents
# say "本机关指定的罚没款代收银行" for the officer to complete by hand.
QINGYUAN_FINE_ACCOUNT = os.environ.get("QINGYUAN_FINE_ACCOUNT", "")
# Notifications by SMS: a class with send(phone, text); the default only logs, the number masked.
QINGYUAN_SMS_BACKEND = os.environ.get("QINGYUAN_SMS_BACKEND", "qingyuan.core.notifications.LoggingSmsBackend")
# Jobs (core.jobs): a running job whose worker has not beaten its heartbeat (every 10 s at most) for
# this long, or a queued job no worker has claimed for this long, is retried or failed by jobs_reap.
# On SQLite a worker's heartbeat waits while another process writes, so keep it above the longest
# import's write.
QINGYUAN_JOB_STALE_SECONDS = int(os.environ.get("QINGYUAN_JOB_STALE_SECONDS", "120"))
# A list export of more rows than this is a job (the page goes to the job page, which offers the
# file); smaller ones are built in the request.
QINGYUAN_EXPORT_INLINE_ROWS = int(os.environ.get("QINGYUAN_EXPORT_INLINE_ROWS", "2000"))
# /health/ reports the task queue down when the scheduler's heartbeat (core.health.heartbeat, every
# minute) is older than this.
QINGYUAN_HEARTBEAT_STALE_SECONDS = int(os.environ.get("QINGYUAN_HEARTBEAT_STALE_SECONDS", "180"))


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate written as COUNT/SECONDS ("10/3600"): at most COUNT requests per client address."""
    value = os.environ.get(name) or default
    try:
        count, seconds = (int(part) for part in value.split("/"))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must look like 10/3600 (count/seconds), got {value!r}") from None
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"{name} must have a positive count and period, got {value!r}")
    return count, seconds


# Evidence files (photos, recordings, documents) live outside the database, under this directory,
# each checked by its SHA-256 (`manage.py evidence_verify`). Back it up with the database.
QINGYUAN_EVIDENCE_DIR = Path(os.environ.get("QINGYUAN_EVIDENCE_DIR", VAR_DIR / "evidence"))
QINGYUAN_EVIDENCE_MAX_BYTES = int(os.environ.get("QINGYUAN_EVIDENCE_MAX_BYTES", str(200 * 1024 * 1024)))
if DEV_KEYS:
    # The embedded setup makes its own directories; a production server is given them by the
    # deployment (owner, mode, mount) or by `manage.py bootstrap`, and /health/ reports them missing.
    MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    QINGYUAN_EVIDENCE_DIR.mkdir(parents=True, exist_ok=True)
    # mkdir's mode applies only when it creates the directory; earlier installs made var/ 0755.
    VAR_DIR.chmod(0o700)
# Days after a ban (取缔) until the re-inspection (复查) falls due.
QINGYUAN_RECHECK_DAYS = int(os.environ.get("QINGYUAN_RECHECK_DAYS", "30"))
# Days an officer's API token stays valid after it was issued; then a new one must be issued.
QINGYUAN_API_TOKEN_DAYS = int(os.environ.get("QINGYUAN_API_TOKEN_DAYS", "90"))
# Partner keys expire this many days after issue or rotation; after `partner_rotate` the old key keeps
# working for the overlap, so the partner can switch without an outage (docs/api.md "对接密钥").
QINGYUAN_PARTNER_KEY_DAYS = int(os.environ.get("QINGYUAN_PARTNER_KEY_DAYS", "365"))
QINGYUAN_PARTNER_KEY_OVERLAP_DAYS = int(os.environ.get("QINGYUAN_PARTNER_KEY_OVERLAP_DAYS", "7"))
# Largest page_size a client may ask for, and how far sync pages stay behind now (api/pagination.py).
QINGYUAN_API_MAX_PAGE_SIZE = int(os.environ.get("QINGYUAN_API_MAX_PAGE_SIZE", "1000"))
QINGYUAN_API_SYNC_SETTLE_SECONDS = int(os.environ.get("QINGYUAN_API_SYNC_SETTLE_SECONDS", "5"))
# Working days before a form's deadline when the units that owe it are reminded (reports.reminders),
# and how long a submitted form waits for review before its reviewers are reminded. RULES.md sets no
# such limit, so it is a setting.
QINGYUAN_FORM_REMIND_WORKING_DAYS = int(os.environ.get("QINGYUAN_FORM_REMIND_WORKING_DAYS", "3"))
# Case numbers per unit and year; {abbr} is the unit's short name, {year} and {seq} as printed.
QINGYUAN_CASE_NUMBER_PATTERN = os.environ.get("QINGYUAN_CASE_NUMBER_PATTERN", "{abbr}卫医罚〔{year}〕{seq}号")

# The public site (/public/): tips, tracking. Rate limits per client address, counted in the default
# cache, which is Redis (REDIS_URL) in production so that every process counts together.
QINGYUAN_PORTAL_RATES = {
    "tip": env_rate("QINGYUAN_PORTAL_TIP_RATE", "10/3600"),  # submitted tips
    "locate": env_rate("QINGYUAN_PORTAL_LOCATE_RATE", "30/600"),  # address look-ups and form checks
    "track": env_rate("QINGYUAN_PORTAL_TRACK_RATE", "30/600"),  # tracking-code look-ups
    "browse": env_rate("QINGYUAN_PORTAL_BROWSE_RATE", "300/600"),  # published typical cases
    "decisions": env_rate("QINGYUAN_PORTAL_DECISIONS_RATE", "120/600"),  # penalty decision searches
    "verify": env_rate("QINGYUAN_PORTAL_VERIFY_RATE", "120/600"),  # licence look-up pages and QR codes
}
# Unit id that receives public tips whose place cannot be resolved at all (its city office is
# preferred, see leads.services.route); unset: the reporter is asked for a more precise place.
QINGYUAN_PORTAL_DEFAULT_UNIT = (
    int(os.environ["QINGYUAN_PORTAL_DEFAULT_UNIT"])
    if os.environ.get("QINGYUAN_PORTAL_DEFAULT_UNIT")
    else None
)
QINGYUAN_PORTAL_HOTLINE = os.environ.get("QINGYUAN_PORTAL_HOTLINE", "12320")

# Captcha images are drawn locally by Pillow with the font the package ships (Vera.ttf): no internet.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes: time to fill in the confirmation step
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
# Large enough to read on a phone (about three times the package's default), little rotation, a few
# dots and no crossing arcs: residents of every age must be able to read it. Those who cannot read
# an image switch to an arithmetic question written as text (portal.forms).
CAPTCHA_FONT_SIZE = 56
CAPTCHA_IMAGE_SIZE = (200, 72)
CAPTCHA_LETTER_ROTATION = (-12, 12)
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)
CAPTCHA_2X_IMAGE = False
# Files chosen on the tip form's second step, kept while that step is refused (portal.holding):
# private, outside MEDIA_ROOT, never served.
QINGYUAN_PORTAL_HOLD_DIR = Path(os.environ.get("QINGYUAN_PORTAL_HOLD_DIR", VAR_DIR / "tip_hold"))
QINGYUAN_PORTAL_HOLD_MINUTES = 30

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "qingyuan.api.authentication.UserTokenAuthentication",
        "qingyuan.api.authentication.PartnerKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # page_size chosen by the client up to QINGYUAN_API_MAX_PAGE_SIZE; updated_since/cursor for sync.
    "DEFAULT_PAGINATION_CLASS": "qingyuan.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    # One error shape under /api/: {"code", "message", "field", "errors"} (docs/api.md).
    "EXCEPTION_HANDLER": "qingyuan.api.errors.exception_handler",
    # Per partner system, per officer, per address without credentials; counts in the default cache.
    "DEFAULT_THROTTLE_CLASSES": ["qingyuan.api.throttling.PrincipalRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "partner": os.environ.get("QINGYUAN_API_RATE_PARTNER", "1200/min"),
        "user": os.environ.get("QINGYUAN_API_RATE_USER", "1200/min"),
        "anon": os.environ.get("QINGYUAN_API_RATE_ANON", "60/min"),
        # The open licence look-up (/api/v1/public/), per client address.
        "public_lookup": os.environ.get("QINGYUAN_API_RATE_PUBLIC_LOOKUP", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "清源 Qingyuan API",
    "DESCRIPTION": "打击非法行医监督执法平台的数据交换接口。所有接口按用户辖区限定数据范围。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "LeadCategoryEnum": "qingyuan.leads.models.Category",
        "InstitutionCategoryEnum": "qingyuan.registry.models.InstitutionCategory",
    },
}

# LOG_FORMAT=json writes one JSON object per line (for journald or a log collector); text otherwise.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "qingyuan.core.logs.RequestContextFilter"}},
    "formatters": {
        "text": {
            "()": "qingyuan.core.logs.TextFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "qingyuan.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django logs every 4xx/5xx with the request attached; the filter and formatters keep only
        # the path, never the query string or body.
        "django.request": {"level": "WARNING"},
        # A handler of its own, so run_huey does not add its plain-text one beside ours.
        "huey": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": False},
    },
}
