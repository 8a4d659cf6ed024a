"""Production settings: refuse to start with unsafe values."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("ONCOCENTER_DEBUG", "0")

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    ALLOWED_HOSTS,
    AUDIT_KEY,
    DEBUG,
    DEMO_SECRET_KEY,
    FIELD_ENCRYPTION_KEY,
    SECRET_KEY,
)

MIN_KEY_LENGTH = 50
MIN_DISTINCT_CHARACTERS = 12


def weak_key(value: str) -> bool:
    """Too short, or too few distinct characters to be random ('a' * 50 is refused)."""
    return len(value) < MIN_KEY_LENGTH or len(set(value)) < MIN_DISTINCT_CHARACTERS


def check_production(
    *,
    debug: bool,
    secret_key: str,
    allowed_hosts: list[str],
    field_key: str = "",
    audit_key: str = "",
) -> None:
    """Raise ImproperlyConfigured naming every unsafe setting at once."""
    problems = []
    if debug:
        problems.append("DEBUG is on (set ONCOCENTER_DEBUG=0)")
    if not secret_key or secret_key == DEMO_SECRET_KEY or weak_key(secret_key):
        problems.append(
            f"SECRET_KEY is the demo key, empty, shorter than {MIN_KEY_LENGTH} characters or "
            f"with fewer than {MIN_DISTINCT_CHARACTERS} different characters"
        )
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("ALLOWED_HOSTS is empty or '*' (set ALLOWED_HOSTS=host1,host2)")
    # Resident numbers must not become unreadable when SECRET_KEY is rotated, and the audit
    # trail's key must not be guessable: both are their own random secrets.
    for name, value in (("ONCOCENTER_FIELD_KEY", field_key), ("ONCOCENTER_AUDIT_KEY", audit_key)):
        if weak_key(value) or value == secret_key:
            problems.append(
                f"{name} is missing, equal to SECRET_KEY, shorter than {MIN_KEY_LENGTH} "
                f"characters or with fewer than {MIN_DISTINCT_CHARACTERS} different characters"
            )
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


check_production(
    debug=DEBUG,
    secret_key=SECRET_KEY,
    allowed_hosts=ALLOWED_HOSTS,
    field_key=FIELD_ENCRYPTION_KEY,
    audit_key=AUDIT_KEY,
)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only: redirect plain HTTP and tell browsers to never try it (HSTS). Behind a proxy that
# terminates TLS, ONCOCENTER_BEHIND_PROXY=1 makes Django trust its X-Forwarded-Proto header
# (only safe when the proxy sets or strips it on every request).
SECURE_SSL_REDIRECT = os.environ.get("ONCOCENTER_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("ONCOCENTER_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("ONCOCENTER_HSTS_SUBDOMAINS", "1") == "1"
# Preload is on so `check --deploy` is clean; set ONCOCENTER_HSTS_PRELOAD=0 before the domain is
# submitted to the browsers' preload list if some subdomain must still serve plain HTTP.
SECURE_HSTS_PRELOAD = os.environ.get("ONCOCENTER_HSTS_PRELOAD", "1") == "1"
if os.environ.get("ONCOCENTER_BEHIND_PROXY", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Static files: compressed (gzip, and brotli when installed) with content hashes in their names,
# so whitenoise serves them with a ten-year immutable cache; `oncocenter serve` collects them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
