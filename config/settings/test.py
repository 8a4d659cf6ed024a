"""Test settings: fast hashing, in-memory SQLite unless DATABASE_URL points at PostgreSQL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("ONCOCENTER_DATA_DIR", str(Path(tempfile.gettempdir()) / "oncocenter-test"))

from config.settings.base import *  # noqa: F403

# Argon2 is the production hasher (tested in accounts); tests hash thousands of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
ALLOWED_HOSTS = ["*"]
LANGUAGE_CODE = "en"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests empty the database between transactional tests (flush); checkpoints are written only by
# the tests that exercise them (to their own tmp file), since each test starts a new chain.
AUDIT_ALLOW_FLUSH = True
AUDIT_CHECKPOINT_FILE = ""
