"""Django settings for motcua.

Configuration comes from the environment (12-factor) through the strict readers in ``motcua.env``.
``MOTCUA_MODE=production`` turns on the hardened settings that pass ``motcua check --deploy``;
the default ``development`` mode runs on an embedded SQLite file with no server.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from motcua.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

MODE = env_choice("MOTCUA_MODE", choices=("development", "production"), default="development")
PRODUCTION = MODE == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
else:
    SECRET_KEY = env_str(
        "SECRET_KEY", "django-insecure-motcua-development-only-key-never-use-in-production-0123456789"
    )

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with its login sent to the officials' sign-in and 2FA required (motcua.signin).
    "motcua.signin.apps.OfficialAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Officials' sign-in (motcua.signin, docs/architecture.md §26): TOTP second factor (django-otp) and
    # lockout after repeated failures (django-axes).
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Security keys / passkeys as a second factor (django-otp-webauthn; docs/architecture.md §39).
    "django_otp_webauthn",
    "axes",
    "csp",
    # django-ninja as an app: its API docs (/api/v1/docs) then render with the Swagger UI files it ships
    # (served as our static files) instead of loading them from a CDN — the system runs without internet.
    "ninja",
    "motcua.core",
    "motcua.accounts",
    "motcua.org",
    "motcua.signin",
    "motcua.catalog",
    "motcua.worktime",
    "motcua.jobs",
    "motcua.population",
    "motcua.dossiers",
    "motcua.privacy",
    "motcua.documents",
    "motcua.identity",
    "motcua.notifications",
    "motcua.nationalportal",
    "motcua.feedback",
    "motcua.datastore",
    "motcua.signing",
    "motcua.payments",
    "motcua.reports",
    "motcua.assistant",
    "motcua.forecast",
    "motcua.kiosk",
    "motcua.backoffice",
    "motcua.portal",
    "motcua.devtools",
]

MIDDLEWARE = [
    # First: the request id (X-Request-ID, in every log line and in the jobs the request enqueues) and
    # the latency histogram per view, timing everything below (docs/operations.md, "Observability").
    "motcua.core.logcontext.RequestIdMiddleware",
    "motcua.core.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp; CONTENT_SECURITY_POLICY below) and Permissions-Policy.
    "csp.middleware.CSPMiddleware",
    "motcua.core.middleware.PermissionsPolicyMiddleware",
    # HEAD answered as GET everywhere (load balancers' HEAD /healthz); the server drops the body.
    "motcua.core.middleware.HeadAsGetMiddleware",
    # Early, on every route: control characters → 400, bodies over the limits below → 413 (before the
    # CSRF check reads a form body). motcua/core/middleware.py.
    "motcua.core.middleware.RequestGuardMiddleware",
    # Every 4xx under /api/ in the API's error shape (ninja's 405, Django's 404 and CSRF pages).
    "motcua.core.middleware.ApiErrorShapeMiddleware",
    "motcua.core.staticfiles.ManifestWhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Not Django's LocaleMiddleware: the language is the user's choice, never Accept-Language.
    "motcua.core.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Citizens' and organisations' sessions: idle timeout and a working day at most (portal.middleware).
    "motcua.portal.middleware.ApplicantSessionMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Officials' sessions: idle timeout, and no session without a second factor where it is required.
    "motcua.signin.middleware.OfficialSessionMiddleware",
    # API requests and file uploads per client IP and per client (token or account), counted in the
    # shared cache: 429 before the view reads the body (motcua/core/ratelimit.py).
    "motcua.core.middleware.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A stored file altered since it was stored (SHA-256 mismatch on download) → 409, never the bytes.
    "motcua.core.middleware.StoredFileAlteredMiddleware",
    # Turns a login refused by the lockout (django-axes) into the login page with its message (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

# --- Browser security headers (docs/architecture.md §27) ---
# Content-Security-Policy: scripts only from our own static files (an inline <script> would need the
# request's nonce, {{ request.csp_nonce }}: there is none today), no inline event handlers, no eval,
# no plugins, never framed, <base> only ours. Styles from our files too; the one inline <style> is the
# standalone 500 page's, allowed by its hash (it must render when static files are broken).
# MOTCUA_CSP_REPORT_ONLY=1 sends it as Content-Security-Policy-Report-Only (a trial on a new site).
_CSP_500_STYLE = "'sha256-xvtmZu9FO3d9v/2NbLNfqw/vWx8YXwqVc5RjMkyhyvA='"  # templates/500.html
_CSP: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": ["'self'", _CSP_500_STYLE],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": [NONE],
        "base-uri": ["'self'"],
        "frame-ancestors": [NONE],
        "worker-src": ["'self'", "blob:"],
    }
}
if env_bool("MOTCUA_CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
# Referrer: the full address only to our own pages (dossier codes stay here); the origin elsewhere.
SECURE_REFERRER_POLICY = "same-origin"
# Browser features no page uses are off; the camera is ours only (the intake form reads the ID card's QR).
MOTCUA_PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

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
                "django.template.context_processors.i18n",
                "motcua.backoffice.context_processors.navigation",
            ],
        },
    },
]

# SQLite file by default so `make run` needs no server; DATABASE_URL switches to PostgreSQL.
_default_db = f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a writer commits; IMMEDIATE makes a write transaction take the
    # write lock at BEGIN, so two concurrent writers queue instead of failing with "database is locked"
    # half-way through (SQLite cannot upgrade a read lock to a write lock safely).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
    # PostgreSQL: server-side binding lets psycopg prepare a statement after 5 executions, so the hot
    # joined queries (public lookup, queue) stop paying planning time on every request (it was most of
    # the public lookup's time at 1 M dossiers). Set it false behind a transaction-mode PgBouncer < 1.21,
    # which cannot route prepared statements.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}

# A PostgreSQL streaming replica for reads that tolerate its lag (reports, open data, transparency,
# the public tracking lookup with a fallback to the primary): docs/scaling.md, motcua.core.dbrouter.
# Unset (the default), the alias does not exist and everything reads the primary.
_replica_url = env_str("MOTCUA_REPLICA_DATABASE_URL", "")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # Tests read the primary through this alias: no second test database is created.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["motcua.core.dbrouter.ReplicaRouter"]

# --- Request limits: a body over them is a 413 (motcua.core.middleware), never a 500 ---
# Bytes of a request body other than uploaded files (JSON, form fields), and how many fields/files.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)  # 2.5 MB
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", default=100)
# An uploaded file larger than this is written to a temporary file instead of kept in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Uploaded scans (motcua/core/uploads.py, every channel): the largest file, the largest multipart body
# (all files and fields of one request; refused from its Content-Length before anything is read), the
# kinds accepted (judged from the content, not the name: pdf, jpeg, png) and the largest image in pixels
# (decoding allocates ~3 bytes a pixel; 40 MP is an A4 page at 600 dpi with room to spare).
MOTCUA_UPLOAD_MAX_BYTES = env_int("MOTCUA_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
MOTCUA_UPLOAD_MAX_REQUEST_BYTES = env_int("MOTCUA_UPLOAD_MAX_REQUEST_BYTES", default=100 * 1024 * 1024)
# What a request left unread of its body, up to this size, is read to its end before the answer leaves,
# so nginx, still sending what it buffered, gets the answer rather than a closed socket (its 502):
# nginx's client_max_body_size (deploy/nginx: 101m); 0 never reads it (core.unread_body).
MOTCUA_UNREAD_BODY_DRAIN_BYTES = env_int("MOTCUA_UNREAD_BODY_DRAIN_BYTES", default=101 * 1024 * 1024)
MOTCUA_UPLOAD_TYPES = env_list("MOTCUA_UPLOAD_TYPES", default=["pdf", "jpeg", "png"])
MOTCUA_UPLOAD_MAX_PIXELS = env_int("MOTCUA_UPLOAD_MAX_PIXELS", default=40_000_000)
# Citizen portal (online submission wizard, personal data store): the per-file limit there (10 MB), below
# the channel-wide MOTCUA_UPLOAD_MAX_BYTES; how long an untouched draft is kept; how many days before a
# stored document's validity ends its owner is reminded to renew it.
MOTCUA_PORTAL_UPLOAD_MAX_BYTES = env_int("MOTCUA_PORTAL_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
MOTCUA_DRAFT_EXPIRY_DAYS = env_int("MOTCUA_DRAFT_EXPIRY_DAYS", default=30)
MOTCUA_RENEWAL_REMINDER_DAYS = env_int("MOTCUA_RENEWAL_REMINDER_DAYS", default=30)
# Virtual assistant (trợ lý ảo, docs/architecture.md §19): how long an idle conversation is kept; the
# optional rephrasing model (any OpenAI-compatible chat endpoint; off while the URL is empty, and the
# assistant never needs it). Confidence thresholds (MOTCUA_ASSISTANT_CONFIDENT, _CLOSE_MARGIN) and the
# rate limit (MOTCUA_ASSISTANT_RATE_LIMIT) have code defaults (assistant.engine, assistant.rate).
MOTCUA_ASSISTANT_CONVERSATION_MINUTES = env_int("MOTCUA_ASSISTANT_CONVERSATION_MINUTES", default=30)
MOTCUA_ASSISTANT_LLM_URL = env_str("MOTCUA_ASSISTANT_LLM_URL", "")
MOTCUA_ASSISTANT_LLM_MODEL = env_str("MOTCUA_ASSISTANT_LLM_MODEL", "")
MOTCUA_ASSISTANT_LLM_API_KEY = env_str("MOTCUA_ASSISTANT_LLM_API_KEY", "")
MOTCUA_ASSISTANT_LLM_TIMEOUT_SECONDS = env_int("MOTCUA_ASSISTANT_LLM_TIMEOUT_SECONDS", default=2)
# The first handler counts the bytes of each file as they arrive and stops the upload at the limit.
FILE_UPLOAD_HANDLERS = [
    "motcua.core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One account table for officials, citizens, organisations and API clients (motcua/accounts/models.py).
AUTH_USER_MODEL = "accounts.Account"

# Admin permissions come from roles too (motcua/org/backends.py): a province admin edits the catalogue
# and the calendar in the Django admin without per-user permission rows.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before the password is hashed (motcua.signin.lockout).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "motcua.org.backends.RolePermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# The choice made with the language buttons (Django's set_language view) is kept a year, not only
# until the browser closes; motcua.core.language reads it (and nothing else: not Accept-Language).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# Display zone and the working-time calendar's zone: one setting, so deadlines, "local date" and what
# pages and forms show can never disagree. Datetimes are stored in UTC (USE_TZ).
TIME_ZONE = env_str("WORKTIME_TIME_ZONE", "Asia/Ho_Chi_Minh")

# MOTCUA_STATIC_URL: the static files' address on a CDN (https://cdn.example/static/, ending with "/")
# that pulls them from this server's /static/; the names are content-hashed (collectstatic), so the CDN
# may keep each for a year. Its origin is added to the CSP's script, style, image and font sources.
STATIC_URL = env_str("MOTCUA_STATIC_URL", "static/")
if STATIC_URL.startswith(("https://", "http://")):
    _static_origin = "/".join(STATIC_URL.split("/", 3)[:3])  # scheme://host[:port]
    if not STATIC_URL.endswith("/") or _static_origin.endswith(("//", ":")):
        raise ImproperlyConfigured("MOTCUA_STATIC_URL phải là địa chỉ đầy đủ, kết thúc bằng “/”.")
    for _directive in ("script-src", "style-src", "img-src", "font-src"):
        _CSP["DIRECTIVES"][_directive].append(_static_origin)
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when its root is missing
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Behind nginx (deploy/nginx/motcua.conf): the URI prefix of its `internal` location aliasing MEDIA_ROOT.
# Set, an authorised download of a local file is checked here and sent by nginx (X-Accel-Redirect), so a
# slow client holds an nginx connection, not a gunicorn thread. Empty (default, and S3): streamed by us.
MOTCUA_PROTECTED_FILES_ACCEL_PREFIX = env_str("MOTCUA_PROTECTED_FILES_ACCEL_PREFIX", "")
# Backups (`motcua backup`, motcua/core/backup.py, docs/operations.md): where a backup goes without
# --output (one folder per run), and where PostgreSQL's pg_dump/pg_restore of the server's version
# are, if not in a standard place (/usr/lib/postgresql/<major>/bin, /usr/pgsql-<major>/bin, PATH).
MOTCUA_BACKUP_DIR = Path(env_str("MOTCUA_BACKUP_DIR", str(VAR_DIR / "backups")))
MOTCUA_PG_BIN_DIR = env_str("MOTCUA_PG_BIN_DIR", "")

# --- E-mail to applicants (notifications app) ---
# Absolute address of the public site, for links in messages sent outside a request (jobs). `make run`
# derives it from HOST; production must set it (https, not a local host: `check --deploy`, motcua.E001).
MOTCUA_PUBLIC_BASE_URL = env_str(
    "MOTCUA_PUBLIC_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Trung tâm Phục vụ hành chính công <khong-tra-loi@motcua.local>"
)
# Production sends through SMTP (EMAIL_HOST…); development and the demo write each message as a file
# under var/mail, so what citizens would receive can be read without a mail server.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 20

# --- Outside services: population database, SMS, Zalo (docs/architecture.md "Stand-ins and adapters") ---
# In development every outside service is the local stand-in process (sandbox/standins, port 8020,
# started by `make run`); production points each at the real endpoint with its credentials.
MOTCUA_STANDINS_URL = env_str("MOTCUA_STANDINS_URL", "" if PRODUCTION else "http://127.0.0.1:8020").rstrip(
    "/"
)
MOTCUA_POPULATION_URL = env_str(
    "MOTCUA_POPULATION_URL", f"{MOTCUA_STANDINS_URL}/dancu" if MOTCUA_STANDINS_URL else ""
).rstrip("/")
MOTCUA_POPULATION_CLIENT_ID = env_str("MOTCUA_POPULATION_CLIENT_ID", "" if PRODUCTION else "motcua-dev")
MOTCUA_POPULATION_CLIENT_SECRET = env_str(
    "MOTCUA_POPULATION_CLIENT_SECRET", "" if PRODUCTION else "motcua-dev-secret"
)
MOTCUA_POPULATION_TIMEOUT_SECONDS = env_int("MOTCUA_POPULATION_TIMEOUT_SECONDS", default=5)
# SMS brandname: "esms" (eSMS.vn HTTP API), "console" (logged only) or "none". Production without an
# endpoint (MOTCUA_SMS_URL) sends none rather than failing every job.
MOTCUA_SMS_URL = env_str(
    "MOTCUA_SMS_URL", f"{MOTCUA_STANDINS_URL}/esms" if MOTCUA_STANDINS_URL else ""
).rstrip("/")
MOTCUA_SMS_BACKEND = env_choice(
    "MOTCUA_SMS_BACKEND", choices=("esms", "console", "none"), default="esms" if MOTCUA_SMS_URL else "none"
)
MOTCUA_SMS_API_KEY = env_str("MOTCUA_SMS_API_KEY", "" if PRODUCTION else "motcua-dev-key")
MOTCUA_SMS_SECRET_KEY = env_str("MOTCUA_SMS_SECRET_KEY", "" if PRODUCTION else "motcua-dev-secret")
MOTCUA_SMS_BRANDNAME = env_str("MOTCUA_SMS_BRANDNAME", "QUANGNINH")
# Zalo Official Account ZNS: "zns" (Zalo's HTTP API), "console" or "none".
MOTCUA_ZALO_URL = env_str(
    "MOTCUA_ZALO_URL", f"{MOTCUA_STANDINS_URL}/zalo" if MOTCUA_STANDINS_URL else ""
).rstrip("/")
MOTCUA_ZALO_BACKEND = env_choice(
    "MOTCUA_ZALO_BACKEND", choices=("zns", "console", "none"), default="zns" if MOTCUA_ZALO_URL else "none"
)
MOTCUA_ZALO_ACCESS_TOKEN = env_str("MOTCUA_ZALO_ACCESS_TOKEN", "" if PRODUCTION else "motcua-dev-zalo-token")
MOTCUA_ZALO_TEMPLATE_ID = env_str("MOTCUA_ZALO_TEMPLATE_ID", "300001")
MOTCUA_NOTIFY_TIMEOUT_SECONDS = env_int("MOTCUA_NOTIFY_TIMEOUT_SECONDS", default=10)
# Files (motcua/core/storage.py, docs/architecture.md §21): the local filesystem (MEDIA_ROOT) by default;
# MOTCUA_STORAGE=s3 stores them in an S3-compatible bucket through django-storages. Never overwrite:
# names are derived from the content's SHA-256 and a taken name gets a fresh suffix.
MOTCUA_STORAGE = env_choice("MOTCUA_STORAGE", choices=("local", "s3"), default="local")
if MOTCUA_STORAGE == "s3":
    _default_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": env_str("MOTCUA_S3_ENDPOINT_URL", "") or None,
            "bucket_name": env_str("MOTCUA_S3_BUCKET"),
            "access_key": env_str("MOTCUA_S3_ACCESS_KEY"),
            "secret_key": env_str("MOTCUA_S3_SECRET_KEY"),
            "region_name": env_str("MOTCUA_S3_REGION", "") or None,
            "file_overwrite": False,
            # Private objects, served only through our views (never a public or pre-signed URL).
            "default_acl": None,
            "querystring_auth": True,
            "addressing_style": env_choice(
                "MOTCUA_S3_ADDRESSING_STYLE", choices=("path", "virtual", "auto"), default="path"
            ),
        },
    }
else:
    # Django's FileSystemStorage that leaves no partial file when a write fails (disk full).
    _default_storage = {"BACKEND": "motcua.core.storage.LocalFileStorage"}

# --- Online payment gateways (motcua.payments.gateways; docs/architecture.md §22) ---
# Which gateways the citizen may choose, in order: "vnpay" (VNPay-style bank gateway) and "dvcqg" (the
# national portal's payment platform). Development points both at the sandbox bank of the stand-ins.
MOTCUA_PAYMENT_GATEWAYS = env_list("MOTCUA_PAYMENT_GATEWAYS", default=["vnpay", "dvcqg"])
MOTCUA_VNPAY_URL = env_str(
    "MOTCUA_VNPAY_URL", f"{MOTCUA_STANDINS_URL}/vnpay/paymentv2/vpcpay.html" if MOTCUA_STANDINS_URL else ""
)
MOTCUA_VNPAY_API_URL = env_str(
    "MOTCUA_VNPAY_API_URL",
    f"{MOTCUA_STANDINS_URL}/vnpay/merchant_webapi/api/transaction" if MOTCUA_STANDINS_URL else "",
)
MOTCUA_VNPAY_TMN_CODE = env_str("MOTCUA_VNPAY_TMN_CODE", "" if PRODUCTION else "MOTCUA01")
MOTCUA_VNPAY_HASH_SECRET = env_str("MOTCUA_VNPAY_HASH_SECRET", "" if PRODUCTION else "MOTCUASANDBOXSECRET")
MOTCUA_DVCQG_PAYMENT_URL = env_str(
    "MOTCUA_DVCQG_PAYMENT_URL", f"{MOTCUA_STANDINS_URL}/dvcqg-payment" if MOTCUA_STANDINS_URL else ""
).rstrip("/")
MOTCUA_DVCQG_PAYMENT_CLIENT_ID = env_str("MOTCUA_DVCQG_PAYMENT_CLIENT_ID", "" if PRODUCTION else "motcua-qn")
MOTCUA_DVCQG_PAYMENT_SECRET = env_str(
    "MOTCUA_DVCQG_PAYMENT_SECRET", "" if PRODUCTION else "motcua-dvcqg-sandbox-secret"
)
# Our agency code at the national portal (Mã đơn vị), sent with each payment request.
MOTCUA_DVCQG_PAYMENT_AGENCY_CODE = env_str("MOTCUA_DVCQG_PAYMENT_AGENCY_CODE", "000.00.00.H49")
MOTCUA_PAYMENT_TIMEOUT_SECONDS = env_int("MOTCUA_PAYMENT_TIMEOUT_SECONDS", default=15)
STORAGES = {
    "default": _default_storage,
    # Production: WhiteNoise's hashed, compressed files of `motcua collectstatic --noinput` (make
    # collectstatic), falling back to unhashed URLs (logged) rather than a 500 (core/staticfiles.py).
    "staticfiles": {
        "BACKEND": (
            "motcua.core.staticfiles.FallbackManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "backoffice:login"

# --- Officials' sign-in (motcua.signin; docs/architecture.md §26) ---
# Every account that signs in with a password (officials, admins) must pass a second factor (TOTP app
# or a recovery code). On in production; off in development so the demo logins stay one step (an
# official who enrolled is still asked for the code).
MOTCUA_OFFICIAL_2FA_REQUIRED = env_bool("MOTCUA_OFFICIAL_2FA_REQUIRED", default=PRODUCTION)
# "Remember this device": no second factor on this browser until the end of the working day (the last
# working period's end, WORKTIME) and never longer than this.
MOTCUA_2FA_REMEMBER_MAX_SECONDS = env_int("MOTCUA_2FA_REMEMBER_MAX_SECONDS", default=12 * 60 * 60)
# An official's session ends after this many seconds without a request (each request re-arms it).
MOTCUA_OFFICIAL_SESSION_IDLE_SECONDS = env_int("MOTCUA_OFFICIAL_SESSION_IDLE_SECONDS", default=30 * 60)
# Lockout (django-axes): failed sign-ins (wrong password or wrong code) per account and per client
# address within the cool-off before either is refused for the cool-off. The address's limit is higher:
# a whole service centre may reach us from one address.
MOTCUA_LOGIN_FAILURE_LIMIT = env_int("MOTCUA_LOGIN_FAILURE_LIMIT", default=5)
MOTCUA_LOGIN_IP_FAILURE_LIMIT = env_int("MOTCUA_LOGIN_IP_FAILURE_LIMIT", default=20)
MOTCUA_LOGIN_COOLOFF_MINUTES = env_int("MOTCUA_LOGIN_COOLOFF_MINUTES", default=15)
AXES_ENABLED = True
# Security keys (django-otp-webauthn; docs/architecture.md §39): a second factor beside the TOTP app,
# never a password replacement. The relying party is the public site: a key enrolled for its host name
# works only there (WebAuthn refuses IP addresses: in development browse http://localhost:8000).
_PUBLIC = urlsplit(MOTCUA_PUBLIC_BASE_URL.replace("//127.0.0.1", "//localhost", 1))
if not (_PUBLIC.scheme == "https" or _PUBLIC.hostname == "localhost"):
    # Browsers allow WebAuthn on https or localhost only (and the library's checks refuse other origins):
    # a plain-http demo on a LAN address gets keys at localhost alone.
    _PUBLIC = urlsplit(f"http://localhost:{_PUBLIC.port or 8000}")
OTP_WEBAUTHN_RP_ID = _PUBLIC.hostname or "localhost"
OTP_WEBAUTHN_RP_NAME = "Một cửa — cán bộ"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"{_PUBLIC.scheme}://{_PUBLIC.netloc}"] if _PUBLIC.netloc else []
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = ""  # motcua.signin.webauthn logs refusals itself, one line each
AXES_HANDLER = "motcua.signin.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = MOTCUA_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = MOTCUA_LOGIN_COOLOFF_MINUTES / 60  # hours
AXES_LOCKOUT_CALLABLE = "motcua.signin.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "motcua.signin.lockout.client_ip_address"
# A success must not wipe the address's failures (axes resets by username *or* address): an attacker
# with one valid account could otherwise reset the address counter between guesses at others.
AXES_RESET_ON_SUCCESS = False
# Masked in the lockout's logs and stored attempts (the password always is): no personal data in logs,
# no one-time code either.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_VERBOSE = False  # its start-up banner would precede every management command's output
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Một cửa Quảng Ninh")
# --- end Officials' sign-in ---
# Where the citizen pages (portal.access.applicant_required) send anonymous visitors: national-identity login.
MOTCUA_PORTAL_LOGIN_URL = "/dang-nhap"
# Phản ánh, kiến nghị (motcua.feedback): working days the officials have to answer one.
MOTCUA_FEEDBACK_DUE_WORKING_DAYS = env_int("MOTCUA_FEEDBACK_DUE_WORKING_DAYS", default=10)

# --- National-identity login of citizens and organisations (portal.vneid; docs/architecture.md §12) ---
# OpenID Connect provider: VNeID in production; `make run` and the tests run the sandbox provider of
# sandbox/idp. The issuer is the discovery base ({issuer}/.well-known/openid-configuration).
MOTCUA_OIDC_ISSUER = env_str("MOTCUA_OIDC_ISSUER", "" if PRODUCTION else "http://127.0.0.1:8010").rstrip("/")
MOTCUA_OIDC_CLIENT_ID = env_str("MOTCUA_OIDC_CLIENT_ID", "" if PRODUCTION else "motcua-portal")
MOTCUA_OIDC_CLIENT_SECRET = env_str(
    "MOTCUA_OIDC_CLIENT_SECRET", "" if PRODUCTION else "motcua-sandbox-secret"
)
MOTCUA_OIDC_SCOPES = env_str("MOTCUA_OIDC_SCOPES", "openid vneid")
# Absolute callback / after-logout addresses registered at the provider; empty: built from the request.
MOTCUA_OIDC_REDIRECT_URI = env_str("MOTCUA_OIDC_REDIRECT_URI", "")
MOTCUA_OIDC_POST_LOGOUT_REDIRECT_URI = env_str("MOTCUA_OIDC_POST_LOGOUT_REDIRECT_URI", "")
# Seconds to wait for the provider (discovery, keys, token, userinfo) before showing "try again later".
MOTCUA_OIDC_TIMEOUT = env_int("MOTCUA_OIDC_TIMEOUT", default=10)
# Our field → the provider's claim name (VNeID-style, docs/domain.md §9.2; the sandbox provider's).
# MOTCUA_OIDC_CLAIMS="personal_id=cccd,full_name=ho_ten" renames some; the others keep these defaults.
MOTCUA_OIDC_CLAIMS: dict[str, str] = {
    "personal_id": "SoDinhDanh",
    "full_name": "HoVaTen",
    "birth_date": "NgaySinh",
    "phone": "SoDienThoai",
    "email": "ThuDienTu",
    "address": "DiaChi",
    "tax_code": "MaSoThue",
    "organisation_name": "TenToChuc",
}
for _pair in env_list("MOTCUA_OIDC_CLAIMS", default=[]):
    _field, _sep, _claim = _pair.partition("=")
    if not _sep or _field.strip() not in MOTCUA_OIDC_CLAIMS or not _claim.strip():
        raise ImproperlyConfigured(
            f"MOTCUA_OIDC_CLAIMS: {_pair!r} must be field=claim, field one of {sorted(MOTCUA_OIDC_CLAIMS)}"
        )
    MOTCUA_OIDC_CLAIMS[_field.strip()] = _claim.strip()
# An applicant's session ends after this many idle seconds (re-armed by each request) and, whatever
# the activity, this long after signing in (a working day).
MOTCUA_PORTAL_SESSION_IDLE_SECONDS = env_int("MOTCUA_PORTAL_SESSION_IDLE_SECONDS", default=30 * 60)
MOTCUA_PORTAL_SESSION_MAX_SECONDS = env_int("MOTCUA_PORTAL_SESSION_MAX_SECONDS", default=8 * 60 * 60)
# Login start and callback, per client IP together: (requests, window in seconds).
MOTCUA_PORTAL_LOGIN_RATE_LIMIT = (env_int("MOTCUA_PORTAL_LOGIN_RATE_LIMIT", default=30), 5 * 60)

# One cache for every process (rate-limit counters: motcua/core/cache.py): the database's table by default,
# Redis when REDIS_URL is set. Never the local-memory cache, which counts per process.
CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "motcua.core.cache.SharedDatabaseCache",
        "LOCATION": "motcua_cache",
        # Django culls a third of the rows (live counters too) past MAX_ENTRIES; expired rows go first.
        "OPTIONS": {"MAX_ENTRIES": env_int("MOTCUA_CACHE_MAX_ENTRIES", default=50_000)},
    }
}
if redis_url := env_str("REDIS_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            # A Redis that stops answering must cost a request a second, not a hang: the callers go on
            # without the cache (core.cache) and /healthz reports it.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

# --- Working-time calendar (docs/domain.md §6). Settings, not constants: a province may change them. ---
WORKTIME = {
    "TIME_ZONE": TIME_ZONE,
    # Working periods of a working day, local time, as (start, end) "HH:MM" pairs.
    "PERIODS": [("08:00", "12:00"), ("13:00", "17:00")],
    # ISO weekdays (1 = Monday) that are working days unless the holiday calendar says otherwise.
    "WEEKDAYS": [1, 2, 3, 4, 5],
    # Hours in one working day; a budget of N working days is N × this many working hours.
    "HOURS_PER_DAY": 8,
    # Calendar-day deadlines ending on a non-working day move to the end of the next working day.
    "CALENDAR_DAYS_ROLL_TO_WORKING_DAY": True,
}

# Data the product ships with: committed in the repository, everything it needs at run time is under data/
MOTCUA_DATA_DIR = Path(env_str("MOTCUA_DATA_DIR", str(PROJECT_DIR / "data")))

# API tokens (motcua/identity): each expires this many days after it is made; a rotated token keeps
# working this many hours after its replacement is made.
MOTCUA_API_TOKEN_DAYS = env_int("MOTCUA_API_TOKEN_DAYS", default=90)
MOTCUA_API_TOKEN_ROTATION_GRACE_HOURS = env_int("MOTCUA_API_TOKEN_ROTATION_GRACE_HOURS", default=24)
# Edge rate limits of the API and file uploads, per client IP and per client (core.ratelimit.EDGE_LIMITS,
# the same defaults): (requests, window in seconds); MOTCUA_RATE_LIMIT_<NAME>=0 turns one off.
MOTCUA_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "API_PER_IP": (env_int("MOTCUA_RATE_LIMIT_API_PER_IP", default=1200), 60),
    "API_PER_CLIENT": (env_int("MOTCUA_RATE_LIMIT_API_PER_CLIENT", default=600), 60),
    "UPLOADS_PER_IP": (env_int("MOTCUA_RATE_LIMIT_UPLOADS_PER_IP", default=120), 10 * 60),
    "UPLOADS_PER_CLIENT": (env_int("MOTCUA_RATE_LIMIT_UPLOADS_PER_CLIENT", default=60), 10 * 60),
}
# Public tracking rate limits (portal.tracking): {"LOOKUPS": (requests, seconds), ...} overrides.
MOTCUA_TRACKING_RATE_LIMITS: dict[str, tuple[int, int]] = {}
# Reverse proxies in front of the app whose X-Forwarded-For may be trusted for client IPs.
MOTCUA_TRUSTED_PROXY_COUNT = env_int("MOTCUA_TRUSTED_PROXY_COUNT", default=0)

# Electronic identification code (mã định danh) of the province; docs/domain.md §5.2: H49 is unconfirmed.
MOTCUA_PROVINCE_CODE = 22
MOTCUA_AGENCY_SUFFIX = env_str("MOTCUA_AGENCY_SUFFIX", "H49")

# --- Personal-data protection (Decree 13/2023/NĐ-CP; motcua.privacy, docs/privacy.md). ---
# How long each kind of personal data is kept before ``motcua purge-personal-data`` (daily job) deletes
# it. Drafts follow MOTCUA_DRAFT_EXPIRY_DAYS, assistant conversations their own expiry (above).
MOTCUA_RETENTION_ACCESS_LOG_DAYS = env_int("MOTCUA_RETENTION_ACCESS_LOG_DAYS", default=2 * 365)
MOTCUA_RETENTION_LOGIN_ATTEMPTS_DAYS = env_int("MOTCUA_RETENTION_LOGIN_ATTEMPTS_DAYS", default=90)
MOTCUA_RETENTION_JOBS_DAYS = env_int("MOTCUA_RETENTION_JOBS_DAYS", default=30)
MOTCUA_RETENTION_ASSISTANT_QUESTIONS_DAYS = env_int("MOTCUA_RETENTION_ASSISTANT_QUESTIONS_DAYS", default=180)
# Error pages and report e-mails hide every POST value and the variables holding an applicant's data.
DEFAULT_EXCEPTION_REPORTER_FILTER = "motcua.privacy.redaction.PersonalDataExceptionReporterFilter"

# Log lines: "json" (one object per line with timestamp, level, logger, message, request_id, job_id,
# job_name — for the log collector) or "text" (development). motcua/core/logcontext.py.
MOTCUA_LOG_FORMAT = env_choice(
    "MOTCUA_LOG_FORMAT", choices=("json", "text"), default="json" if PRODUCTION else "text"
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "log_context": {"()": "motcua.core.logcontext.LogContextFilter"},
        # Identity numbers, phone numbers and e-mail addresses in any message become placeholders.
        "personal_data": {"()": "motcua.privacy.redaction.PersonalDataLogFilter"},
    },
    "formatters": {
        "json": {"()": "motcua.core.logcontext.JsonLogFormatter"},
        "text": {
            "()": "motcua.core.logcontext.TextLogFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s%(request_tag)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["personal_data", "log_context"],
            "formatter": MOTCUA_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every failed sign-in at INFO as well; its warnings (lockouts) are what matter.
    "loggers": {"axes": {"level": "WARNING"}},
}

# /metrics (Prometheus, motcua/core/metrics.py): the scraper's addresses (CIDR ranges allowed) or a
# bearer token; anyone else gets a 404. Multi-process gunicorn: PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py).
MOTCUA_METRICS_ALLOWED_IPS = env_list("MOTCUA_METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
MOTCUA_METRICS_TOKEN = env_str("MOTCUA_METRICS_TOKEN", "")
for _network in MOTCUA_METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"MOTCUA_METRICS_ALLOWED_IPS: {_network!r} is not an address or a network"
        ) from exc

# Probes (load balancer, orchestrator) call the process over plain HTTP: a 301 is not an answer.
# Used once SECURE_SSL_REDIRECT is on (production).
SECURE_REDIRECT_EXEMPT = [r"^healthz(/|$)", r"^metrics$"]

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: sent only over HTTPS, only to this exact host, never to a sub-domain's site.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# --- Jobs (motcua.jobs) ---
# Transactional outbox; the job table is the worker's queue (`motcua run-jobs`): motcua/jobs/README.md.
MOTCUA_JOBS = {
    "MAX_ATTEMPTS": env_int("MOTCUA_JOBS_MAX_ATTEMPTS", default=8),
    "BACKOFF_BASE_SECONDS": env_int("MOTCUA_JOBS_BACKOFF_BASE_SECONDS", default=30),
    "BACKOFF_MAX_SECONDS": env_int("MOTCUA_JOBS_BACKOFF_MAX_SECONDS", default=3600),
    # A handler running longer than TIMEOUT is stopped and retried. LEASE: a job claimed by a worker
    # that was killed is run again by another once it has been running this long; must exceed TIMEOUT.
    "TIMEOUT_SECONDS": env_int("MOTCUA_JOBS_TIMEOUT_SECONDS", default=300),
    "LEASE_SECONDS": env_int("MOTCUA_JOBS_LEASE_SECONDS", default=360),
    # SQLite only (PostgreSQL wakes the worker with LISTEN/NOTIFY): how often an idle worker looks.
    "POLL_MS": env_int("MOTCUA_JOBS_POLL_MS", default=1000),
    # PostgreSQL only: after a wake-up, wait this long so concurrent transactions' jobs share one claim.
    "GATHER_MS": env_int("MOTCUA_JOBS_GATHER_MS", default=100),
    "BATCH_SIZE": env_int("MOTCUA_JOBS_BATCH_SIZE", default=50),
    "WORKERS": env_int("MOTCUA_JOBS_WORKERS", default=1),
    "ALERT_AFTER_SECONDS": env_int("MOTCUA_JOBS_ALERT_AFTER_SECONDS", default=600),
    # On SIGTERM the handler in hand may finish within this many seconds before it is interrupted (and
    # its job released); 0 interrupts at once. systemd's TimeoutStopSec must exceed it (deploy/systemd).
    "STOP_GRACE_SECONDS": env_int("MOTCUA_JOBS_STOP_GRACE_SECONDS", default=30),
}  # BACKOFF_JITTER and the meaning of each key: motcua/jobs/conf.py
# --- end Jobs (motcua.jobs) ---

# --- Electronic results: signing and verification (motcua.signing, docs/architecture.md §20) ---
# Key store: "files" (development PKI of `motcua pki init`: PKCS#8 keys + certificates under KEY_DIR) or
# "pkcs11" (an HSM, USB token or remote signing service through its PKCS#11 library).
MOTCUA_SIGNING_KEY_STORE = env_choice(
    "MOTCUA_SIGNING_KEY_STORE", choices=("files", "pkcs11"), default="files"
)
MOTCUA_SIGNING_KEY_DIR = Path(env_str("MOTCUA_SIGNING_KEY_DIR", str(VAR_DIR / "pki")))
MOTCUA_SIGNING_PKCS11_LIB = env_str("MOTCUA_SIGNING_PKCS11_LIB", "")
MOTCUA_SIGNING_PKCS11_TOKEN_LABEL = env_str("MOTCUA_SIGNING_PKCS11_TOKEN_LABEL", "")
MOTCUA_SIGNING_PKCS11_PIN = env_str("MOTCUA_SIGNING_PKCS11_PIN", "")
# RFC 3161 time-stamp authority: unset → PAdES B-B; set → B-T (the stand-in serves one at /tsa).
MOTCUA_SIGNING_TSA_URL = env_str("MOTCUA_SIGNING_TSA_URL", "")
# PEM files of the trust roots verification accepts (comma-separated); empty → the development root.
MOTCUA_SIGNING_TRUST_ROOTS = env_list("MOTCUA_SIGNING_TRUST_ROOTS", default=[])
# Revocation lists (DER or PEM files) verification reads; empty → the development CA's ca.crl.
MOTCUA_SIGNING_CRLS = env_list("MOTCUA_SIGNING_CRLS", default=[])
# Largest PDF the public verification accepts.
MOTCUA_SIGNING_VERIFY_MAX_BYTES = env_int("MOTCUA_SIGNING_VERIFY_MAX_BYTES", default=10 * 1024 * 1024)
# Public verification (/xac-thuc page and POST /api/v1/verify): checks per client address per minute.
MOTCUA_SIGNING_VERIFY_RATE_LIMIT = env_int("MOTCUA_SIGNING_VERIFY_RATE_LIMIT", default=20)
# Place name in the signatures and the printed copy's note.
MOTCUA_SIGNING_LOCATION = env_str("MOTCUA_SIGNING_LOCATION", "Quảng Ninh")
# --- end Electronic results ---

# --- Audit seals (motcua.dossiers.sealing, docs/architecture.md §29) ---
# HMAC key of the daily seals of the audit log: never in the database, so a database administrator
# cannot re-seal a rewritten history. Required in production (deploy check motcua.E050); in
# development a random key is generated once into the file below.
MOTCUA_AUDIT_SEAL_KEY = env_str("MOTCUA_AUDIT_SEAL_KEY", "")
MOTCUA_AUDIT_SEAL_KEY_FILE = Path(env_str("MOTCUA_AUDIT_SEAL_KEY_FILE", str(VAR_DIR / "audit-seal.key")))
# --- end Audit seals ---
# --- Payments and e-receipts (motcua.payments; docs/architecture.md §23) ---
# Minutes a payment order stays payable at the gateway; the periodic job expires it after that.
MOTCUA_PAYMENT_EXPIRY_MINUTES = env_int("MOTCUA_PAYMENT_EXPIRY_MINUTES", default=15)
# Receipt series (ký hiệu biên lai): "<prefix>-<yy>E", e.g. QN-26E; numbered per unit and year.
MOTCUA_RECEIPT_SERIES_PREFIX = env_str("MOTCUA_RECEIPT_SERIES_PREFIX", "QN")
# --- end Payments ---
# --- Open data (motcua.reports.opendata; docs/architecture.md §28) ---
# A published count n with 0 < n < this threshold is left empty (CSV) / null (JSON): small counts for
# one commune, procedure and day could point at a person.
MOTCUA_OPEN_DATA_MIN_COUNT = env_int("MOTCUA_OPEN_DATA_MIN_COUNT", default=5)
# --- end Open data ---
