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

from cryptography.fernet import Fernet
from django.conf import settings

RRN_RE = re.compile(r"^(\d{6})-?(\d{7})$")


def _key_material() -> bytes:
    configured = settings.FIELD_ENCRYPTION_KEY
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    return hashlib.sha256(("oncocenter-field-key:" + settings.SECRET_KEY).encode()).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key_material()))


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
    return _fernet().decrypt(token.encode()).decode()


def digest(digits: str) -> str:
    return hmac.new(_key_material(), ("rrn:" + digits).encode(), hashlib.sha256).hexdigest()


def mask(digits: str) -> str:
    """Show the birth part and the sex digit only, as Korean forms do: 900101-1******."""
    return f"{digits[:6]}-{digits[6]}******"
