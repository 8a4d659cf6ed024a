"""The audit trail's HMAC keys: a secret kept outside the database (`ONCOCENTER_AUDIT_KEY`).

Someone who can write to the database but does not hold the key cannot recompute the chain after
an edit. Each event records the id of the key it was written with (a fingerprint, not the key),
so the key can be rotated: the new key signs new events, old keys stay in
`ONCOCENTER_AUDIT_OLD_KEYS` for verification.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings


def _material(secret: str) -> bytes:
    return hashlib.sha256(("oncocenter-audit-key:" + secret).encode()).digest()


def key_id_of(key: bytes) -> str:
    return hashlib.sha256(b"oncocenter-audit-key-id:" + key).hexdigest()[:12]


@functools.lru_cache(maxsize=8)
def _keys(current: str, old: tuple[str, ...], secret_key: str) -> tuple[str, dict[str, bytes]]:
    # Without a configured key (the demo, development) the key derives from SECRET_KEY;
    # production settings refuse to start without ONCOCENTER_AUDIT_KEY.
    first = _material(current or "derived-from-secret-key:" + secret_key)
    keys = {key_id_of(first): first}
    for secret in old:
        material = _material(secret)
        keys.setdefault(key_id_of(material), material)
    return key_id_of(first), keys


def _configured() -> tuple[str, dict[str, bytes]]:
    return _keys(settings.AUDIT_KEY, tuple(settings.AUDIT_OLD_KEYS), settings.SECRET_KEY)


def current_key_id() -> str:
    return _configured()[0]


def current_key() -> bytes:
    key_id, keys = _configured()
    return keys[key_id]


def audit_keys() -> dict[str, bytes]:
    """Every key this installation can verify with, by key id (the current one first)."""
    return _configured()[1]
