"""Encryption of the resident registration number (RRN), sensitive data under PIPA.

Stored as a Fernet token (AES-128-CBC + HMAC) plus a keyed HMAC-SHA256 digest for exact-match
lookup and duplicate detection; the plain number is never stored, logged or shown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import date

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

RRN_RE = re.compile(r"^(\d{6})-?(\d{7})$")


def _derived_material() -> bytes:
    return hashlib.sha256(("oncocenter-field-key:" + settings.SECRET_KEY).encode()).digest()


def _key_material() -> bytes:
    configured = settings.FIELD_ENCRYPTION_KEY
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    return _derived_material()


def _old_materials() -> list[bytes]:
    """Retired keys (ONCOCENTER_FIELD_OLD_KEYS), and the SECRET_KEY-derived key once a key of
    its own is configured: readable until `oncocenter rotate-field-key` has re-encrypted all."""
    old = [hashlib.sha256(k.encode()).digest() for k in settings.FIELD_ENCRYPTION_OLD_KEYS]
    if settings.FIELD_ENCRYPTION_KEY:
        old.append(_derived_material())
    current = _key_material()
    return [m for m in dict.fromkeys(old) if m != current]


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key_material()))


def _multi() -> MultiFernet:
    keys = [_key_material(), *_old_materials()]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(k)) for k in keys])


def normalize_rrn(value: str) -> str:
    """Return the 13 digits, or raise ValueError naming the rule."""
    match = RRN_RE.match(value.strip())
    if not match:
        raise ValueError("must be 13 digits written as YYMMDD-NNNNNNN")
    return match.group(1) + match.group(2)


def rrn_birth_date_and_sex(digits: str) -> tuple[date, str]:
    """Birth date and sex encoded in the number (7th digit: century and sex; 5-8 for foreigners)."""
    code = int(digits[6])
    century = {
        1: 1900,
        2: 1900,
        5: 1900,
        6: 1900,
        3: 2000,
        4: 2000,
        7: 2000,
        8: 2000,
        9: 1800,
        0: 1800,
    }[code]
    sex = "male" if code % 2 == 1 else "female"
    born = date(century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    return born, sex


def encrypt(digits: str) -> str:
    return _fernet().encrypt(digits.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt with the current key or any retired one (during a rotation)."""
    return _multi().decrypt(token.encode()).decode()


def _digest(key: bytes, digits: str) -> str:
    return hmac.new(key, ("rrn:" + digits).encode(), hashlib.sha256).hexdigest()


def digest(digits: str) -> str:
    """The lookup digest under the current key (what is stored for new numbers)."""
    return _digest(_key_material(), digits)


def digests(digits: str) -> list[str]:
    """The digest under every key held, current first: lookups and duplicate checks still find
    a number stored before a key rotation finished."""
    return [_digest(k, digits) for k in [_key_material(), *_old_materials()]]


def reencrypt(token: str) -> tuple[str, str]:
    """(ciphertext, digest) of a stored number under the current key."""
    digits = decrypt(token)
    return encrypt(digits), digest(digits)


def mask(digits: str) -> str:
    """Show the birth part and the sex digit only, as Korean forms do: 900101-1******."""
    return f"{digits[:6]}-{digits[6]}******"
