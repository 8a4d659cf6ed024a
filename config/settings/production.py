"""Production settings: refuse to start with unsafe values."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("ONCOCENTER_DEBUG", "0")

from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS, DEBUG, DEMO_SECRET_KEY, SECRET_KEY


def check_production(*, debug: bool, secret_key: str, allowed_hosts: list[str]) -> None:
    """Raise ImproperlyConfigured naming every unsafe setting at once."""
    problems = []
    if debug:
        problems.append("DEBUG is on (set ONCOCENTER_DEBUG=0)")
    if not secret_key or secret_key == DEMO_SECRET_KEY or len(secret_key) < 40:
        problems.append("SECRET_KEY is the demo key, empty or shorter than 40 characters")
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("ALLOWED_HOSTS is empty or '*' (set ALLOWED_HOSTS=host1,host2)")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


check_production(debug=DEBUG, secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Static files: compressed (gzip, and brotli when installed) with content hashes in their names,
# so whitenoise serves them with a ten-year immutable cache; `oncocenter serve` collects them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
