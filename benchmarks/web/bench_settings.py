"""Settings for the load benchmark: the base settings with DEBUG off and the production static
files (compressed, hashed names), over plain HTTP on 127.0.0.1. The production settings mark
the session cookie Secure, which a plain-HTTP client does not send back, and refuse the demo
keys the seeded audit chain was hashed with.

    DJANGO_SETTINGS_MODULE=bench_settings PYTHONPATH=benchmarks/web oncocenter serve
"""

import os

os.environ.setdefault("ONCOCENTER_DEBUG", "0")

from config.settings.base import *  # noqa: F403

DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
