"""Hedang settings.

The embedded default needs no environment at all: SQLite (WAL), files and broker folders
under ``$HEDANG_DATA_DIR``. Production components are switched on one by one by the
environment variables of docs/contracts.md. Every environment read lives in this file.
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("HEDANG_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
# The data directory holds the SQLite database, the originals and the keys: owner only.
if DATA_DIR.stat().st_uid == os.getuid():
    DATA_DIR.chmod(0o700)
# Files this process creates (the SQLite database and its WAL, keys, broker messages): owner
# only. Archived files keep their explicit mode (ARCHIVE_STORAGE below).
os.umask(0o077)

PRODUCTION = os.environ.get("HEDANG_PRODUCTION", "") == "1"
# Off unless asked for: a traceback page hands settings and code to whoever caused it.
DEBUG = os.environ.get("HEDANG_DEBUG", "0") == "1"
# Demo accounts and data (seed_demo) exist only in the demo configuration; never in production.
HEDANG_DEMO = not PRODUCTION and os.environ.get("HEDANG_DEMO", "1") == "1"


def _secret_key() -> str:
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when HEDANG_PRODUCTION=1")
    # A per-data-directory key, so two data directories never share sessions.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h for h in os.environ.get("HEDANG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("HEDANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "archive",
    "ingest",
    "scanning",
    "search",
    "push",
    "retention",
    "loans",
    "consistency",
    "accounts",
    # The staff UI on top of all the others (dashboard, 统计, 档案盒, exports, 帮助); before
    # wagtail.admin so that its templates override the admin's home page.
    "staffui",
    "ops",
    "archive.users_app.HedangUsersAppConfig",
    "wagtail.snippets",
    # Not used for archive files, but the admin's base template reverses their admin API
    # endpoints (wagtail_config): without them every admin page, the login page included,
    # fails with NoReverseMatch.
    "wagtail.documents",
    "wagtail.images",
    "wagtail.sites",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First: forwarded headers are believed only from HEDANG_TRUSTED_PROXIES.
    "archive.middleware.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "archive.middleware.AuditContextMiddleware",
    "archive.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two filers never both read the same 档号
    # counter and then fail to upgrade their lock.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "hedang.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
            "TEST": {"NAME": DATA_DIR / "test-hedang.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "archive.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Without a web server in front (make run), the WSGI app serves /static/ itself.
HEDANG_SERVE_STATIC = os.environ.get("HEDANG_SERVE_STATIC", "0" if PRODUCTION else "1") == "1"
MEDIA_ROOT = DATA_DIR / "files"
MEDIA_URL = "/media-not-served/"  # archived files are only served through audited views

HEDANG_STORAGE = os.environ.get("HEDANG_STORAGE", "local")
if HEDANG_STORAGE == "s3":
    ARCHIVE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY"),
            "region_name": os.environ.get("AWS_S3_REGION_NAME", "us-east-1"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
elif HEDANG_STORAGE == "local":
    ARCHIVE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "file_permissions_mode": 0o640},
    }
else:
    raise RuntimeError(f"HEDANG_STORAGE must be 'local' or 's3', not {HEDANG_STORAGE!r}")

STORAGES = {
    "default": ARCHIVE_STORAGE,
    "archive": ARCHIVE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = DATA_DIR / "broker"
    for sub in ("out", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # kombu polls the folders (1 s by default); a document's steps are queued one after
        # another, so every hop waited up to a second. A listing every 0.1 s costs nothing.
        "polling_interval": 0.1,
    }
    # Workers must not broadcast over the filesystem (remote control would poll folders).
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = os.environ.get("HEDANG_CELERY_EAGER", "") == "1"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ROUTES = {"ingest.tasks.ocr_document": {"queue": "ocr"}}
# A fixity run re-hashes every stored object; the next one starts this many days after it.
HEDANG_FIXITY_INTERVAL_DAYS = int(os.environ.get("HEDANG_FIXITY_INTERVAL_DAYS", "7"))
CELERY_BEAT_SCHEDULE = {
    "ingest-recover-stalled": {"task": "ingest.tasks.recover_stalled", "schedule": 60.0},
    # Once a day: items whose retention ran out join the appraisal list (nothing is deleted).
    "retention-daily-sweep": {"task": "retention.tasks.daily_sweep", "schedule": 24 * 3600.0},
    "audit-anchor": {
        "task": "archive.tasks.anchor_audit_chain",
        "schedule": float(os.environ.get("HEDANG_AUDIT_ANCHOR_SECONDS", "3600")),
    },
    # Paper against electronic every night; fixity in slices of 4 minutes every 5 (resumable).
    "consistency-nightly-check": {
        "task": "consistency.tasks.nightly_check",
        "schedule": crontab(hour=2, minute=30),
    },
    "consistency-fixity-slice": {"task": "consistency.tasks.fixity_slice", "schedule": 300.0},
}

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The archive's session class (401 with a challenge when absent, one "cookieAuth" scheme in
    # the schema) for every app's API; views that take platform tokens add theirs.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "archive.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "archive.api.pagination.BoundedLimitOffsetPagination",
    "DEFAULT_PARSER_CLASSES": [
        "archive.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "archive.api.errors.exception_handler",
}


def spectacular_api_only(endpoints, **kwargs):
    """Keep the OpenAPI schema to our own API: Wagtail's internal admin API (/admin/api/) is
    DRF too, and documenting it made ``check --deploy`` warn (drf_spectacular.W001/W002)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


SPECTACULAR_SETTINGS = {
    "TITLE": "Hedang 核档 API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe every endpoint: only for logged-in callers.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "archive.api.authentication.SessionAuthentication",
        "archive.api.authentication.PlatformTokenAuthentication",
    ],
    "PREPROCESSING_HOOKS": [f"{__name__}.spectacular_api_only"],
}

# --- Wagtail ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "核档 · 核对档案管理"
WAGTAILADMIN_BASE_URL = os.environ.get("HEDANG_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Chinese labels on the sign-in form (staffui.forms).
WAGTAILADMIN_USER_LOGIN_FORM = "staffui.forms.LoginForm"

# --- The archive's own rules (docs/domain.md) -----------------------------------------------
# DA/T 22 档号. Fields: fonds, doc_class, year, retention, category_code, business_type, number.
# The class of an item is the pattern rendered without its number; 件号 run gap-free per class.
HEDANG_ARCHIVE_NUMBER_PATTERN = os.environ.get(
    "HEDANG_ARCHIVE_NUMBER_PATTERN",
    "{fonds}-{doc_class}·{year}-{retention}-{category_code}-{number:04d}",
)
HEDANG_DOC_CLASS = "HD"  # 门类代码: 核对档案
HEDANG_RETENTION_YEARS = 10
HEDANG_RETENTION_CODE = "D10"
# Retention counts from 1 January of the year after formation.
HEDANG_RETENTION_START = "next_january"
# Agencies that keep a category longer: {"report": 30}; categories not named keep
# HEDANG_RETENTION_YEARS. An appraisal may extend single items beyond this.
HEDANG_RETENTION_YEARS_BY_CATEGORY: dict[str, int] = {}
# Working days (the 30-working-day review window of a report, §7) skip Saturdays and Sundays;
# public holidays and the weekend days worked instead (调休) are listed here, "YYYY-MM-DD".
HEDANG_PUBLIC_HOLIDAYS: list[str] = []
HEDANG_EXTRA_WORKING_DAYS: list[str] = []
HEDANG_REVIEW_WINDOW_WORKING_DAYS = 30

# --- Ingest ---------------------------------------------------------------------------------
HEDANG_OCR = {
    "language": "chi_sim+eng",
    "page_timeout": int(os.environ.get("HEDANG_OCR_PAGE_TIMEOUT", "180")),
    "max_image_mpixels": 250,
    "jobs": 1,
}
# Table-aware OCR (ingest/formocr): ruling lines removed, cells read one strip per page, fields
# extracted by the templates in ingest/form_templates. 0.985 of characters on the standard's
# table forms against 0.795 for plain ocrmypdf, at ~1.2× the time (docs/benchmarks.md).
HEDANG_OCR_TABLES = os.environ.get("HEDANG_OCR_TABLES", "1") == "1"
HEDANG_INGEST_LIMITS: dict[str, int] = {}
# A worker holds a document this long; after that the sweeper hands it to another worker.
HEDANG_INGEST_LEASE_SECONDS = int(os.environ.get("HEDANG_INGEST_LEASE_SECONDS", "1800"))
HEDANG_INGEST_REQUEUE_AFTER = 600
HEDANG_INBOX_DIR = DATA_DIR / "inbox"
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# --- Scanning (app scanning/: separator sheets and stack splitting) ------------------------
# Splitters the ingest pipeline asks, in order, whether a document is a stack of several items
# (ingest must not import scanning, so it loads them by dotted path).
HEDANG_INGEST_SPLITTERS = ["scanning.stack.SeparatorSheets"]
# --- end Scanning -------------------------------------------------------------------------

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "SAMEORIGIN"
# SAMEORIGIN, not DENY: Wagtail's preview panel and the item viewer frame our own pages.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("HEDANG_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Data protection (docs/security.md) ------------------------------------------------------
# Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For / X-Forwarded-Proto are
# believed; from anyone else the headers are ignored (archive.audit.client_ip).
HEDANG_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("HEDANG_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# SECURE_PROXY_SSL_HEADER (production) believes X-Forwarded-Proto: archive.middleware strips
# that header from requests that did not come through a trusted proxy.
# The operation log's chain is keyed (HMAC-SHA256). Keys: HEDANG_AUDIT_KEY ("id:secret" or a
# bare secret, id "env"), else the files under HEDANG_AUDIT_KEY_DIR (one file per key id;
# the newest is used for new entries, all verify). Rotation: add a file, see docs/security.md.
HEDANG_AUDIT_KEY = os.environ.get("HEDANG_AUDIT_KEY", "")
HEDANG_AUDIT_KEY_DIR = Path(os.environ.get("HEDANG_AUDIT_KEY_DIR", DATA_DIR / "audit-keys"))
# Where the signed anchors of the chain head go (write-once, outside the database): a local
# folder, or the archive's S3 bucket under this prefix with Object Lock when HEDANG_STORAGE=s3.
HEDANG_AUDIT_ANCHOR_DIR = Path(
    os.environ.get("HEDANG_AUDIT_ANCHOR_DIR", DATA_DIR / "audit-anchors")
)
HEDANG_AUDIT_ANCHOR_PREFIX = "audit-anchors/"
HEDANG_AUDIT_ANCHOR_SECONDS = int(os.environ.get("HEDANG_AUDIT_ANCHOR_SECONDS", "3600"))
HEDANG_AUDIT_ANCHOR_RETAIN_DAYS = int(os.environ.get("HEDANG_AUDIT_ANCHOR_RETAIN_DAYS", "3650"))
# The largest page any list endpoint answers (?limit=); beyond it the answer is cut here.
HEDANG_API_MAX_PAGE_SIZE = 200
# JSON bodies nested deeper than this are refused with 400 before they are parsed.
HEDANG_API_MAX_JSON_DEPTH = 64
# Content-Security-Policy and Permissions-Policy of every response (archive.middleware).
# connect-src allows blob: so a page may read back the blobs it made itself (the document
# camera's captured frames); no other origin is reachable.
HEDANG_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
HEDANG_PERMISSIONS_POLICY = (
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HEDANG_LOG_LEVEL", "WARNING")},
}

# --- Search (app search/, label hedang_search) ---------------------------------------------
# "embedded" (default): SQLite FTS5, or PostgreSQL when DATABASE_URL points there;
# "elasticsearch": ELASTICSEARCH_URL, through the alias HEDANG_SEARCH_ES_INDEX.
HEDANG_SEARCH = os.environ.get("HEDANG_SEARCH", "embedded")
HEDANG_SEARCH_ES_URL = os.environ.get("ELASTICSEARCH_URL", "")
HEDANG_SEARCH_ES_INDEX = os.environ.get("HEDANG_SEARCH_ES_INDEX", "hedang-items")
# refresh after each write: "wait_for" (searchable when the request returns), or "false".
HEDANG_SEARCH_ES_REFRESH = os.environ.get("HEDANG_SEARCH_ES_REFRESH", "wait_for")
# Facets are counted for queries with at most this many matches.
HEDANG_SEARCH_FACET_LIMIT = 20_000
# A query with more matches is answered newest first with a bounded total (search.backends).
HEDANG_SEARCH_RANK_LIMIT = 20_000
# --- end Search ---------------------------------------------------------------------------

# --- Platform push (POST /api/v1/reports, /api/v1/materials; push/platform.py) -------------
# CA certificates (PEM/DER files) that signatures in pushed PDFs must chain to.
HEDANG_TRUST_ROOTS_DIR = Path(os.environ.get("HEDANG_TRUST_ROOTS_DIR", DATA_DIR / "trust"))
# The archive's own key and certificate, which seal the access copies (PEM).
HEDANG_KEYS_DIR = DATA_DIR / "keys"
HEDANG_ARCHIVE_KEY = Path(os.environ.get("HEDANG_ARCHIVE_KEY", HEDANG_KEYS_DIR / "archive-key.pem"))
HEDANG_ARCHIVE_CERT = Path(
    os.environ.get("HEDANG_ARCHIVE_CERT", HEDANG_KEYS_DIR / "archive-cert.pem")
)
# Outside production a self-signed archive certificate is made on first use.
HEDANG_ARCHIVE_CERT_AUTO = not PRODUCTION
HEDANG_SEAL_LOCATION = "湖北"
# Faces for the seal's visible stamp: (file, family within a .ttc; "" = the first face).
HEDANG_STAMP_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", ""),
]
# Unsigned PDFs: "flag" (filed, receipt says present=false) or "refuse" (422).
HEDANG_PUSH_UNSIGNED = os.environ.get("HEDANG_PUSH_UNSIGNED", "flag")
# Intact signatures that do not chain to a trust root: "flag" (filed, valid=false) or "refuse".
HEDANG_PUSH_UNTRUSTED = os.environ.get("HEDANG_PUSH_UNTRUSTED", "flag")
# Requests per token (DRF rate syntax) and the largest accepted upload.
HEDANG_PUSH_RATE = os.environ.get("HEDANG_PUSH_RATE", "600/min")
HEDANG_PUSH_MAX_BYTES = int(os.environ.get("HEDANG_PUSH_MAX_BYTES", str(50 * 1024 * 1024)))
# Categories whose pushed items also get a print task (归档章 copy to file on paper).
HEDANG_PUSH_PRINT_CATEGORIES = ["process", "proof", "report", "report_application"]
# The archive's seal on a pushed file: "worker" (after the receipt, by a Celery worker; the
# receipt says 已接收，封存中) or "inline" (in the request). push/sealing.py.
HEDANG_PUSH_SEAL = os.environ.get("HEDANG_PUSH_SEAL", "worker")
CELERY_BEAT_SCHEDULE["push-requeue-stalled-seals"] = {
    "task": "push.tasks.requeue_stalled_seals",
    "schedule": 60.0,
}
# The throttle's counters: shared by all web processes through Redis when there is one.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES["platform"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CELERY_BROKER_URL,
        "KEY_PREFIX": "hedang-platform",
    }
else:
    CACHES["platform"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "platform"),
    }
# The pushed materials' categories (all but "report") as their own schema enum.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["CategoryEnum"] = (
    "archive.categories.Category"
)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["MaterialCategoryEnum"] = [
    ("process", "核查过程性材料"),
    ("proof", "证明材料"),
    ("report_application", "核对报告应用材料"),
]
# The receipt's seal promise and the item's seal state both have a "status" field.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["SealPromiseStatusEnum"] = ["pending", "sealed"]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["SealStateStatusEnum"] = ["pending", "sealed", "failed"]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ItemStatusEnum"] = "archive.models.Item.Status"
# pyHanko logs every untrusted or modified signature it meets with a traceback; the
# outcome is reported to the caller and kept with the item instead.
LOGGING.setdefault("loggers", {})["pyhanko"] = {"level": "ERROR"}
# --- end Platform push ---------------------------------------------------------------------

# --- Accounts (app accounts/: lockout, passwords, sessions, 2FA, certificates) -------------
# Each gate is a setting, on here; tests/conftest.py switches them off for tests that do not
# test them (accounts.gates). Environment variables tune them for an installation.
INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
INSTALLED_APPS[INSTALLED_APPS.index("archive.users_app.HedangUsersAppConfig")] = (
    "accounts.users_app.AccountsUsersAppConfig"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("archive.middleware.AuditContextMiddleware"),
    "accounts.middleware.AccountsGateMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out user name or address first
    "accounts.certificates.CertificateBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: the 6th wrong password in a row locks the user name (and the address) for 30 min.
AXES_ENABLED = os.environ.get("HEDANG_LOCKOUT", "1") == "1"
AXES_FAILURE_LIMIT = int(os.environ.get("HEDANG_LOCKOUT_FAILURES", "6"))
AXES_COOLOFF_TIME = int(os.environ.get("HEDANG_LOCKOUT_MINUTES", "30")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Passwords: at least 10 characters of three classes, none of the last 5 again, 90 days.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.HistoryValidator", "OPTIONS": {"keep": 5}},
]
HEDANG_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("HEDANG_PASSWORD_MAX_AGE_DAYS", "90"))
# Sessions: 30 min idle, 8 h at most, 3 at once; all end when password, roles or agency change.
HEDANG_SESSION_IDLE_MINUTES = int(os.environ.get("HEDANG_SESSION_IDLE_MINUTES", "30"))
HEDANG_SESSION_ABSOLUTE_HOURS = int(os.environ.get("HEDANG_SESSION_ABSOLUTE_HOURS", "8"))
HEDANG_MAX_SESSIONS = int(os.environ.get("HEDANG_MAX_SESSIONS", "3"))
HEDANG_END_SESSIONS_ON_CHANGE = True
# Second factor (TOTP) for superusers and the administrator/security roles.
HEDANG_REQUIRE_TOTP = os.environ.get("HEDANG_REQUIRE_TOTP", "1") == "1"
HEDANG_TOTP_REQUIRED_ROLES = ["系统管理员", "安全管理员", "审计管理员", "安全管理"]
OTP_TOTP_ISSUER = "核档"
# Appendix F 安全保密承诺书, renewed yearly, before any work.
HEDANG_REQUIRE_COMMITMENT = os.environ.get("HEDANG_REQUIRE_COMMITMENT", "1") == "1"
HEDANG_COMMITMENT_DAYS = 365
# New accounts and role/agency changes wait for a second security administrator (审批备案).
HEDANG_ACCOUNT_APPROVAL = os.environ.get("HEDANG_ACCOUNT_APPROVAL", "1") == "1"
HEDANG_BREAK_GLASS_AUDIT = True
# Client certificates (实名认证) passed on by the TLS proxy (docs/nginx-client-cert.conf).
HEDANG_REQUIRE_CERTIFICATE = os.environ.get("HEDANG_REQUIRE_CERTIFICATE", "0") == "1"
HEDANG_CLIENT_CERT_HEADER = "HTTP_X_SSL_CLIENT_CERT"
HEDANG_CLIENT_CA_FILE = os.environ.get("HEDANG_CLIENT_CA_FILE", "")
HEDANG_CLIENT_CRL_FILE = os.environ.get("HEDANG_CLIENT_CRL_FILE", "")
if "HEDANG_TRUSTED_PROXIES" not in globals():
    HEDANG_TRUSTED_PROXIES = [
        p for p in os.environ.get("HEDANG_TRUSTED_PROXIES", "").split(",") if p.strip()
    ]
# --- end Accounts --------------------------------------------------------------------------

# --- Operations (app ops/: backup, restore, health, metrics) --------------------------------
# Temporary files of this host (OCR work folders, exports): a local disk; never shared.
if os.environ.get("HEDANG_TMP"):
    HEDANG_TMP = Path(os.environ["HEDANG_TMP"]).resolve()
    HEDANG_TMP.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(HEDANG_TMP)
    os.environ["TMPDIR"] = str(HEDANG_TMP)  # for ocrmypdf, Tesseract, Ghostscript
else:
    HEDANG_TMP = Path(tempfile.gettempdir())
# Scheduled backups: a folder hedang-<UTC time> per run; the newest HEDANG_BACKUP_KEEP stay.
HEDANG_BACKUP_DIR = Path(os.environ.get("HEDANG_BACKUP_DIR", DATA_DIR / "backups"))
HEDANG_BACKUP_KEEP = int(os.environ.get("HEDANG_BACKUP_KEEP", "7"))
HEDANG_BACKUP_HOUR = int(os.environ.get("HEDANG_BACKUP_HOUR", "2"))  # local time (TIME_ZONE)
CELERY_BEAT_SCHEDULE["ops-nightly-backup"] = {
    "task": "ops.tasks.nightly_backup",
    "schedule": crontab(hour=HEDANG_BACKUP_HOUR, minute=17),
}
# /metrics: allowed with "Authorization: Bearer <HEDANG_METRICS_TOKEN>" or from these
# addresses (CIDR allowed). Empty token: addresses only.
HEDANG_METRICS_TOKEN = os.environ.get("HEDANG_METRICS_TOKEN", "")
HEDANG_METRICS_ALLOWED = [
    a for a in os.environ.get("HEDANG_METRICS_ALLOWED", "127.0.0.1,::1").split(",") if a
]
MIDDLEWARE.insert(0, "ops.metrics.RequestMetricsMiddleware")
# Probes and the scraper talk to gunicorn directly over HTTP: no redirect to HTTPS for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# --- end Operations -------------------------------------------------------------------------
