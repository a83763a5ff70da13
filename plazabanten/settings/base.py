"""Settings shared by every environment; each value comes from the environment (see README)."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PB_VAR_DIR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Filled in by local.py (embedded servers) or production.py (required variables).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
# A streaming replica for anonymous storefront reads (plazabanten/replica.py); empty: everything on the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASE_ROUTERS = ["plazabanten.replica.ReplicaRouter"]
PB_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("PB_REPLICA_MAX_LAG_SECONDS", "5"))
PB_REPLICA_STICKY_SECONDS = int(os.environ.get("PB_REPLICA_STICKY_SECONDS", "15"))
PB_REPLICA_CHECK_SECONDS = float(os.environ.get("PB_REPLICA_CHECK_SECONDS", "2"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "plazabanten",
    "accounts",
    "regions",
    "vendors",
    "catalog",
    "orders",
    "payments",
    "procurement",
    "privacy",
]

MIDDLEWARE = [
    "plazabanten.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "plazabanten.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "plazabanten.replica.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Sessions are read from Redis and written through to Postgres: a signed-in page saves the session query, and a
# restarted or unavailable Redis (plazabanten.cache) falls back to the database copy, so nobody is signed out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

ROOT_URLCONF = "plazabanten.urls"
WSGI_APPLICATION = "plazabanten.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orders.context_processors.cart",
                "vendors.context_processors.seller_nav",
            ],
            "builtins": ["plazabanten.templatetags.money"],
        },
    },
]


def database_config(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    options = config.setdefault("OPTIONS", {})
    options["connect_timeout"] = 5
    # Short OLTP queries on a small machine: JIT compilation (tens of ms) and parallel workers (which take the
    # cores other requests need) only slow the storefront down under load. See README, "Catalog speed".
    # Prepared reads (plazabanten.prepared) run their generic plan from the first call: in the default mode Postgres
    # planned a cart's variants anew on every page (a few ids look cheaper than its generic estimate), ~0.4 ms.
    options["options"] = "-c jit=off -c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_generic_plan"
    return config


AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, reading the signed-in user as a prepared read
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# allauth: email is the login, no username.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
# Mandatory verification is what lets allauth hide which emails are registered: signing up with a taken address
# shows the same "check your email" page as a new one and mails the owner instead (ACCOUNT_PREVENT_ENUMERATION).
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
# Fernet keys for the private documents (privacy/crypto.py), comma separated, the newest first; locally one is
# generated into var/document_key. Rotation: put the new key first, run `manage.py private_documents_rotate`.
PB_DOCUMENT_KEYS = env_list("PB_DOCUMENT_KEYS")
# Documents of shops rejected or closed are deleted this many days later (privacy.tasks, audited).
PB_DOCUMENT_RETENTION_DAYS = int(os.environ.get("PB_DOCUMENT_RETENTION_DAYS", "365"))
# The data protection officer (pejabat pelindungan data pribadi) named on /privasi/.
PB_DPO_EMAIL = os.environ.get("PB_DPO_EMAIL", "privasi@plazabanten.local")

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    # S3-compatible (AWS, MinIO): public media by URL, private documents only through signed URLs.
    _s3 = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        "url_protocol": os.environ.get("AWS_S3_URL_PROTOCOL", "https:"),  # "http:" only for a local S3 emulator
        "file_overwrite": False,
    }
    # Public media (product photo originals and renditions) never change under a name: cache for a year.
    _public_cache = {"object_parameters": {"CacheControl": "public, max-age=31536000, immutable"}}
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage",
                    "OPTIONS": {**_s3, **_public_cache, "location": "media"}},
        "private": {
            "BACKEND": "privacy.storage.EncryptedS3Storage",
            "OPTIONS": {**_s3, "location": "private", "default_acl": "private", "querystring_auth": True,
                        "custom_domain": None},
        },
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "privacy.storage.EncryptedFileSystemStorage",
            "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
        },
    }
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# Backups (plazabanten.backup): a folder, or a bucket of their own (never the media bucket: a copied media bucket
# must not carry the database).
PB_BACKUP_DIR = Path(os.environ.get("PB_BACKUP_DIR", VAR_DIR / "backups"))
PB_BACKUP_BUCKET = os.environ.get("PB_BACKUP_BUCKET", "")
if PB_BACKUP_BUCKET:
    STORAGES["backups"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": PB_BACKUP_BUCKET, "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "default_acl": "private", "querystring_auth": True, "file_overwrite": False}}
else:
    STORAGES["backups"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": PB_BACKUP_DIR, "base_url": None}}
PB_BACKUP_KEEP = int(os.environ.get("PB_BACKUP_KEEP", "14"))  # good backups kept; older ones are pruned
PB_BACKUP_MAX_AGE_HOURS = int(os.environ.get("PB_BACKUP_MAX_AGE_HOURS", "26"))  # /healthz says "stale" beyond
WHITENOISE_MAX_AGE = 3600

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # a body's non-file part (forms, webhooks)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads go to a temporary file
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# The whole request body, uploads included: refused with a 413 page before it is read
# (plazabanten.middleware.RequestSizeLimitMiddleware). A photo is at most 10 MB, a document 5 MB.
PB_MAX_REQUEST_BYTES = int(os.environ.get("PB_MAX_REQUEST_MB", "25")) * 1024 * 1024

_email_backend = os.environ.get("EMAIL_BACKEND") or "django.core.mail.backends.smtp.EmailBackend"
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS"),
        } if _email_backend.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Plaza Banten <noreply@plazabanten.local>")

# Content-Security-Policy: everything from our own origin, no inline script.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"] + ([f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
                                               if AWS_STORAGE_BUCKET_NAME else [])
    + ([f"https://{os.environ['AWS_S3_CUSTOM_DOMAIN']}"] if os.environ.get("AWS_S3_CUSTOM_DOMAIN") else []),
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'self'"],
}

PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "sandbox")
# Where this site answers, for what calls it back from outside a request (the sandbox simulator's webhook):
# never taken from the request's Host header.
PB_BASE_URL = os.environ.get("PB_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
MIDTRANS_SERVER_KEY = os.environ.get("MIDTRANS_SERVER_KEY", "")
XENDIT_SECRET_KEY = os.environ.get("XENDIT_SECRET_KEY", "")
XENDIT_CALLBACK_TOKEN = os.environ.get("XENDIT_CALLBACK_TOKEN", "")
PAYMENT_COMMISSION_BPS = int(os.environ.get("PAYMENT_COMMISSION_BPS", "100"))  # platform commission, 100 = 1%

# Tax rates by the date they apply from (payments/tax.py): a change is a new row, never an edit, so invoices
# already issued keep the rates stored on them. PPN 12% on DPP nilai lain 11/12 (PMK 131/2024, effective 11%);
# PPh 22 0.5% on government invoices collected as Pihak Lain (PMK 58/2022) and, from PMK 37/2025's start, on
# consumer sales of sellers without an accepted turnover statement (omzet up to Rp500 juta).
TAX_RATES = [
    {"valid_from": "2025-01-01", "ppn_rate": "12/100", "ppn_dpp_fraction": "11/12", "pph22_government": "5/1000",
     "pph22_consumer": "0", "consumer_turnover_threshold": 500_000_000},
    {"valid_from": "2025-07-14", "ppn_rate": "12/100", "ppn_dpp_fraction": "11/12", "pph22_government": "5/1000",
     "pph22_consumer": "5/1000", "consumer_turnover_threshold": 500_000_000},
]
# The platform's own tax identity, printed on the government invoices and the bukti potong (PMK 58 Ps 10(c)).
TAX_PLATFORM_NAME = os.environ.get("TAX_PLATFORM_NAME", "PT Agro Banten Mandiri (Plaza Banten)")
TAX_PLATFORM_NPWP = os.environ.get("TAX_PLATFORM_NPWP", "0013000000000000")

# Order lifecycle: how long a buyer has to pay (stock stays reserved meanwhile), how long a shop has to accept
# a paid order, and how long after delivery a buyer may complain before the order completes by itself.
ORDER_PAYMENT_HOURS = int(os.environ.get("ORDER_PAYMENT_HOURS", "24"))
ORDER_ACCEPT_HOURS = 48
ORDER_COMPLAINT_DAYS = 3
# Parcel tracking for courier orders (orders/tracking.py): sandbox (the embedded tracker: delivered
# SANDBOX_TRACKING_MINUTES after shipping), biteship, komerce (RajaOngkir), or none (only the fallback: delivered at
# the service's longest estimate + 2 days).
COURIER_TRACKER = os.environ.get("COURIER_TRACKER", "sandbox")
SANDBOX_TRACKING_MINUTES = float(os.environ.get("SANDBOX_TRACKING_MINUTES", "60"))
BITESHIP_API_KEY = os.environ.get("BITESHIP_API_KEY", "")
KOMERCE_API_KEY = os.environ.get("KOMERCE_API_KEY", "")
CHECKOUT_RATE_PER_MINUTE = 10  # place-order attempts per buyer; allauth limits login and signup itself
# What one buyer may hold without paying: units of one variant, and checkouts awaiting payment at once.
ORDER_MAX_UNPAID_UNITS_PER_VARIANT = int(os.environ.get("ORDER_MAX_UNPAID_UNITS_PER_VARIANT", "50"))
ORDER_MAX_UNPAID_CHECKOUTS = int(os.environ.get("ORDER_MAX_UNPAID_CHECKOUTS", "3"))
RATELIMIT_FAIL_OPEN = True  # django-ratelimit: with Redis down, checkout goes on unthrottled rather than refused

# Celery: Redis broker, JSON only, tasks acknowledged after they finish so a killed worker's task is redone.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that dies (SIGKILL, a lost machine) goes back to the queue after this many seconds: longer
# than the longest task (90 s hard limit) plus the longest countdown (20 s), short enough that nothing waits an hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "outbox-deliver-pending": {"task": "plazabanten.tasks.outbox_deliver_pending", "schedule": 60.0},
    "product-images-render-pending": {"task": "catalog.tasks.product_images_render_pending", "schedule": 300.0},
    "shop-document-previews-pending": {"task": "vendors.tasks.shop_document_previews_pending", "schedule": 300.0},
    "search-terms-refresh": {"task": "catalog.tasks.search_terms_refresh", "schedule": 300.0},
    "facet-cells-compact": {"task": "catalog.tasks.facet_cells_compact", "schedule": 60.0},
    "orders-expire-unpaid": {"task": "orders.tasks.orders_expire_unpaid", "schedule": 60.0},
    "orders-cancel-unaccepted": {"task": "orders.tasks.orders_cancel_unaccepted", "schedule": 300.0},
    "orders-track-shipments": {"task": "orders.tasks.orders_track_shipments", "schedule": 900.0},
    "orders-complete-delivered": {"task": "orders.tasks.orders_complete_delivered", "schedule": 900.0},
    "orders-complaints-timeout": {"task": "orders.tasks.orders_complaints_timeout", "schedule": 900.0},
    "payments-expire": {"task": "payments.tasks.payments_expire", "schedule": 60.0},
    "payments-poll-pending": {"task": "payments.tasks.payments_poll_pending", "schedule": 300.0},
    "payments-orders-settle": {"task": "payments.tasks.orders_settle", "schedule": 60.0},
    "procurement-cancel-unanswered": {"task": "procurement.tasks.paket_cancel_unanswered", "schedule": 900.0},
    "procurement-close-paid": {"task": "procurement.tasks.paket_close_paid", "schedule": 300.0},
    "procurement-reminders": {"task": "procurement.tasks.paket_reminders_send", "schedule": 900.0},
    "ledger-reconcile": {"task": "payments.tasks.ledger_reconcile", "schedule": crontab(hour=2, minute=0)},
    "shop-documents-retention": {"task": "privacy.tasks.shop_documents_retention",
                                 "schedule": crontab(hour=3, minute=15)},
    "backup-create": {"task": "plazabanten.tasks.backup_create", "schedule": crontab(hour=1, minute=30)},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # NIKs and account numbers never reach a log line (privacy/masking.py).
    "filters": {"personal_data": {"()": "privacy.masking.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

DEFAULT_EXCEPTION_REPORTER = "privacy.masking.PersonalDataExceptionReporter"
PB_PRODUCTION = False
PB_EMBEDDED = False


def apply_service_urls(namespace: dict) -> None:
    """Derive the database, cache and broker settings from DATABASE_URL and REDIS_URL."""
    namespace["DATABASES"] = {"default": database_config(namespace["DATABASE_URL"])}
    if namespace.get("DATABASE_REPLICA_URL"):
        replica = database_config(namespace["DATABASE_REPLICA_URL"])
        replica["OPTIONS"]["connect_timeout"] = 1  # a replica that does not answer is skipped, not waited for
        namespace["DATABASES"]["replica"] = replica
    redis = namespace["REDIS_URL"]
    namespace["CELERY_BROKER_URL"] = redis
    namespace["CACHES"] = {
        "default": {
            "BACKEND": "plazabanten.cache.ResilientRedisCache",
            "LOCATION": redis,
            "KEY_PREFIX": "pb",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

# Government buying (procurement/, README "Government buying"). Value limits in rupiah: a PP may create packages
# up to PROCUREMENT_PP_LIMIT (above it only a PPK may); with PROCUREMENT_BELA_MODE on, no package may exceed
# PROCUREMENT_BELA_LIMIT (Bela Pengadaan style). The seller answers a Surat Pesanan within
# PROCUREMENT_SELLER_WORKING_DAYS working days; the Bendahara pays an invoice within PROCUREMENT_PAYMENT_DAYS days.
PROCUREMENT_PP_LIMIT = int(os.environ.get("PROCUREMENT_PP_LIMIT", "200000000"))
PROCUREMENT_BELA_MODE = env_bool("PROCUREMENT_BELA_MODE")
# Text search through each web process's in-memory index (catalog/search_index.py); off: every search is SQL.
SEARCH_INDEX = env_bool("PB_SEARCH_INDEX", True)
PROCUREMENT_BELA_LIMIT = int(os.environ.get("PROCUREMENT_BELA_LIMIT", "50000000"))
PROCUREMENT_SELLER_WORKING_DAYS = 3
# A negotiation (procurement/negotiation.py) has at most this many rounds: each round is the buyer's offer and the
# seller's answer; the seller's counter in the last round can only be accepted or the negotiation ended.
PROCUREMENT_NEGOTIATION_ROUNDS = int(os.environ.get("PROCUREMENT_NEGOTIATION_ROUNDS", "3"))
PROCUREMENT_PAYMENT_DAYS = int(os.environ.get("PROCUREMENT_PAYMENT_DAYS", "30"))
# KKPD (the regional government credit card) pays at most this much per payee (Permendagri 79/2022 Ps 19).
PROCUREMENT_KKPD_LIMIT = int(os.environ.get("PROCUREMENT_KKPD_LIMIT", "200000000"))
# The Bendahara is reminded this many days before an invoice's due date.
PROCUREMENT_PAYMENT_REMINDER_DAYS = 3
# Cuti bersama (SKB 3 Menteri No. 1497, 2 and 5 of 2025 for 2026); public holidays come from the `holidays` package.
PROCUREMENT_CUTI_BERSAMA = [
    "2026-02-16", "2026-03-18", "2026-03-20", "2026-03-23", "2026-03-24", "2026-05-15", "2026-05-28", "2026-12-24",
]
# The 40% realisation's open data (/data/umk/, procurement.realisation): a figure over fewer packages than this is
# withheld; the JSON/CSV are cached this many seconds and answer this many requests a minute per IP.
REALISATION_OPEN_MIN_PACKAGES = int(os.environ.get("REALISATION_OPEN_MIN_PACKAGES", "5"))
REALISATION_OPEN_CACHE_SECONDS = int(os.environ.get("REALISATION_OPEN_CACHE_SECONDS", "300"))
REALISATION_OPEN_RATE = os.environ.get("REALISATION_OPEN_RATE", "60/m")
