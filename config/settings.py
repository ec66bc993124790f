"""Hedang settings.

The embedded default needs no environment at all: SQLite (WAL), files and broker folders
under ``$HEDANG_DATA_DIR``. Production components are switched on one by one by the
environment variables of shared/CONTRACTS.md. Every environment read lives in this file.
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

PRODUCTION = os.environ.get("HEDANG_PRODUCTION", "") == "1"
DEBUG = os.environ.get("HEDANG_DEBUG", "0" if PRODUCTION else "1") == "1"


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
    "retention",
    "loans",
    "consistency",
    "accounts",
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
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "archive.middleware.AuditContextMiddleware",
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
    }
    # Workers must not broadcast over the filesystem (remote control would poll folders).
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = os.environ.get("HEDANG_CELERY_EAGER", "") == "1"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ROUTES = {"ingest.tasks.ocr_document": {"queue": "ocr"}}
CELERY_BEAT_SCHEDULE = {
    "ingest-recover-stalled": {"task": "ingest.tasks.recover_stalled", "schedule": 60.0},
}

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
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
    "PREPROCESSING_HOOKS": [f"{__name__}.spectacular_api_only"],
}

# --- Wagtail ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "核档 · 核对档案管理"
WAGTAILADMIN_BASE_URL = os.environ.get("HEDANG_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# --- The archive's own rules (DOMAIN.md) ---------------------------------------------------
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

# --- Platform push (POST /api/v1/reports, /api/v1/materials; archive/platform.py) ----------
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
# pyHanko logs every untrusted or modified signature it meets with a traceback; the
# outcome is reported to the caller and kept with the item instead.
LOGGING.setdefault("loggers", {})["pyhanko"] = {"level": "ERROR"}
# --- end Platform push ---------------------------------------------------------------------

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
