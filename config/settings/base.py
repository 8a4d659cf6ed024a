"""Base settings: a zero-setup SQLite install for development and the demo.

Everything a site changes comes from environment variables (names start with ONCOCENTER_ or are
the usual DATABASE_URL / SECRET_KEY), so the same code runs the demo, the tests and production.
"""

from __future__ import annotations

import os
from pathlib import Path

from config.dburl import database_from_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("ONCOCENTER_DATA_DIR", BASE_DIR / "var")).resolve()

# The demo key is public on purpose; production.py refuses to start with it.
DEMO_SECRET_KEY = "oncocenter-demo-secret-key-do-not-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = os.environ.get("ONCOCENTER_DEBUG", "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

# Key for encrypting sensitive identifiers (resident registration numbers) at rest. Derived from
# SECRET_KEY unless given, so the demo works without setup; production should set its own.
FIELD_ENCRYPTION_KEY = os.environ.get("ONCOCENTER_FIELD_KEY", "")
# Retired field keys, still read until `oncocenter rotate-field-key` has re-encrypted everything.
FIELD_ENCRYPTION_OLD_KEYS = [
    k for k in os.environ.get("ONCOCENTER_FIELD_OLD_KEYS", "").split(",") if k
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Before django_tasks_db: its `db_worker` command is this app's (recovery of lost jobs).
    "oncocenter.jobs",
    "django_tasks",
    "django_tasks_db",
    "oncocenter.core",
    "oncocenter.accounts",
    "oncocenter.audit",
    "oncocenter.patients",
    "oncocenter.oncology",
    "oncocenter.labs",
    "oncocenter.referrals",
    "oncocenter.mdt",
    "oncocenter.trials",
    "oncocenter.machines",
    "oncocenter.radiotherapy",
    "oncocenter.scheduling",
    "oncocenter.clinics",
    "oncocenter.followup",
    "oncocenter.nutrition",
    "oncocenter.surgery",
    "oncocenter.systemic",
    "oncocenter.support",  # migrations only: hands its tables to the six apps below
    "oncocenter.pediatrics",
    "oncocenter.school",
    "oncocenter.aid",
    "oncocenter.shelter",
    "oncocenter.palliative",
    "oncocenter.socialwork",
    "oncocenter.notifications",
    "oncocenter.portal",
    "oncocenter.interop",
    "oncocenter.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "oncocenter.core.middleware.SecurityHeadersMiddleware",
    "oncocenter.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oncocenter.audit.middleware.AuditContextMiddleware",
    "oncocenter.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oncocenter.core.context_processors.shell",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", ""), sqlite_path=DATA_DIR / "oncocenter.sqlite3"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Inactivity expiry: the cookie age is renewed on every request, so it measures idle time.
SESSION_IDLE_MINUTES = int(os.environ.get("ONCOCENTER_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"

# Request bodies other than file uploads (JSON, forms) are read into memory: cap them (Django's
# default, stated; a larger one is refused with 400). Every string inside is bounded too
# (oncocenter.core.limits, issue 17).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ONCOCENTER_MAX_BODY_BYTES", str(2_621_440)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Failed sign-ins within LOGIN_FAILURE_WINDOW_MINUTES lock, with a delay doubling from one minute
# up to LOGIN_LOCKOUT_MAX_MINUTES: an account at one address after LOGIN_MAX_FAILURES, an account
# from any address after LOGIN_ACCOUNT_MAX_FAILURES, an address (many accounts; a whole ward may
# share it behind a NAT) after LOGIN_ADDRESS_MAX_FAILURES.
LOGIN_MAX_FAILURES = int(os.environ.get("ONCOCENTER_LOGIN_MAX_FAILURES", "5"))
LOGIN_ACCOUNT_MAX_FAILURES = int(os.environ.get("ONCOCENTER_LOGIN_ACCOUNT_MAX_FAILURES", "20"))
LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("ONCOCENTER_LOGIN_ADDRESS_MAX_FAILURES", "100"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("ONCOCENTER_LOGIN_FAILURE_WINDOW", "15"))
LOGIN_LOCKOUT_MAX_MINUTES = int(os.environ.get("ONCOCENTER_LOGIN_LOCKOUT_MAX_MINUTES", "60"))

# Checking a presented resident registration number against the stored one is refused after this
# many wrong numbers in the window, per user and per patient (it must not become an oracle).
RRN_CHECK_MAX_MISSES = int(os.environ.get("ONCOCENTER_RRN_CHECK_MAX_MISSES", "5"))
RRN_CHECK_WINDOW_MINUTES = int(os.environ.get("ONCOCENTER_RRN_CHECK_WINDOW", "60"))

# API tokens expire (90 days by default) and lapse sooner when unused for API_TOKEN_IDLE_DAYS.
API_TOKEN_DAYS = int(os.environ.get("ONCOCENTER_API_TOKEN_DAYS", "90"))
API_TOKEN_IDLE_DAYS = int(os.environ.get("ONCOCENTER_API_TOKEN_IDLE_DAYS", "14"))
# Break the glass (issue 17): how long a grant to read one patient outside one's roles lasts.
BREAK_GLASS_MINUTES = int(os.environ.get("ONCOCENTER_BREAK_GLASS_MINUTES", "60"))

# Background jobs (LINAC booking, rebooking, exports, notifications) run on the database
# through Django's tasks API (the django-tasks backport until Django 6): no broker to operate, the
# same PostgreSQL that holds the data holds the queue, and SQLite keeps working for the demo.
# Workers: `oncocenter db_worker`. Tests switch to the immediate backend where they do not
# exercise the worker itself.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "booking", "notifications", "exports"],
    }
}
# A running job whose heartbeat (written every second) is older than this lost its worker and
# is queued again (oncocenter.jobs.services.jobs_recover).
JOBS_STALE_SECONDS = int(os.environ.get("ONCOCENTER_JOBS_STALE_SECONDS", "30"))

LANGUAGE_CODE = os.environ.get("ONCOCENTER_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS: list[Path] = []  # each app ships its own locale/ folder
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("ONCOCENTER_TIME_ZONE", "Asia/Seoul")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True

# The audit trail's HMAC key (kept outside the database; production requires it) and retired keys
# still needed to verify older events; signed checkpoints of the chain go to a file outside the
# database every AUDIT_CHECKPOINT_EVERY events (docs/operations.md, "Audit trail").
AUDIT_KEY = os.environ.get("ONCOCENTER_AUDIT_KEY", "")
AUDIT_OLD_KEYS = [k for k in os.environ.get("ONCOCENTER_AUDIT_OLD_KEYS", "").split(",") if k]
AUDIT_CHECKPOINT_FILE = os.environ.get(
    "ONCOCENTER_AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit-checkpoints.jsonl")
)
AUDIT_CHECKPOINT_EVERY = int(os.environ.get("ONCOCENTER_AUDIT_CHECKPOINT_EVERY", "100"))
# Audit events are chained in this many shards, so concurrent writers lock different chain heads.
# Fixed at install: verification recomputes each event's shard from it (changing it later makes
# every event "in the wrong shard"; a new epoch would be needed, ARCHITECTURE.md).
AUDIT_SHARDS = int(os.environ.get("ONCOCENTER_AUDIT_SHARDS", "16"))
# `oncocenter flush` would wipe the audit trail: refused except in the test settings.
AUDIT_ALLOW_FLUSH = False

# Behind reverse proxies that append to X-Forwarded-For, set how many there are: the client's
# address is then read that many entries from the right (values further left are whatever the
# client sent, never trusted). ONCOCENTER_TRUST_X_FORWARDED_FOR=1 (older setting) means one proxy.
TRUST_X_FORWARDED_FOR = os.environ.get("ONCOCENTER_TRUST_X_FORWARDED_FOR", "0") == "1"
TRUSTED_PROXY_COUNT = int(
    os.environ.get("ONCOCENTER_TRUSTED_PROXIES", "1" if TRUST_X_FORWARDED_FOR else "0")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ONCOCENTER_LOG_LEVEL", "WARNING")},
}
