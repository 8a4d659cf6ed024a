"""The one permission vocabulary of OncoCenter and its mapping to roles.

Every view and endpoint asks for a permission by name (never for a role), so that who-may-do-what
is read and reviewed here, in one table. Each app owns one section below; keep edits inside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oncocenter.core.errors import NotPermitted
from oncocenter.core.roles import ALL_STAFF, CLINICAL, PHYSICIANS, Role

R = Role

# --- foundation: patients, audit, staff --------------------------------------------------------
FOUNDATION: dict[str, Iterable[str]] = {
    # Find a patient and see demographics (name, MRN, birth date): everyone who works with patients.
    "patient.search": ALL_STAFF,
    "patient.view": ALL_STAFF,
    "patient.create": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.ADMINISTRATOR},
    "patient.edit": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.ADMINISTRATOR},
    # Contacts and address: not for hospital-school teachers.
    "patient.view_contacts": CLINICAL | {R.SCHEDULER, R.SOCIAL_WORKER, R.ADMINISTRATOR},
    # Compare a presented resident registration number with the stored one (never shown in full).
    "patient.verify_rrn": PHYSICIANS | {R.NURSE, R.SCHEDULER, R.RADIATION_THERAPIST, R.ADMINISTRATOR},
    "machine.view": ALL_STAFF - {R.TEACHER},
    "machine.manage": {R.MEDICAL_PHYSICIST, R.ADMINISTRATOR},
    "audit.view": {R.ADMINISTRATOR},
    "staff.manage": {R.ADMINISTRATOR},
}

# --- clinical core (issue 3): oncology, referrals, mdt, trials -----------------------------------
CLINICAL_CORE: dict[str, Iterable[str]] = {
}

# --- radiotherapy (issue 4) ------------------------------------------------------------------------
RADIOTHERAPY: dict[str, Iterable[str]] = {
}

# --- scheduling (issue 5) --------------------------------------------------------------------------
SCHEDULING: dict[str, Iterable[str]] = {
}

# --- clinics, follow-up, nutrition (issue 6) -------------------------------------------------------
CLINICS: dict[str, Iterable[str]] = {
}

# --- pediatric support services (issue 7) ----------------------------------------------------------
SUPPORT: dict[str, Iterable[str]] = {
}


def _build() -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for section in (FOUNDATION, CLINICAL_CORE, RADIOTHERAPY, SCHEDULING, CLINICS, SUPPORT):
        for perm, roles in section.items():
            if perm in table:
                raise RuntimeError(f"permission {perm!r} is defined twice")
            table[perm] = frozenset(str(r) for r in roles)
    return table


PERMISSIONS: dict[str, frozenset[str]] = _build()


def roles_with(perm: str) -> frozenset[str]:
    try:
        return PERMISSIONS[perm]
    except KeyError:
        raise KeyError(f"unknown permission {perm!r}; add it to oncocenter/core/permissions.py") from None


def user_roles(user: Any) -> frozenset[str]:
    """The user's roles, read once per request object and cached on it."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_oncocenter_roles", None)
    if cached is None:
        cached = frozenset(user.role_assignments.values_list("role", flat=True))
        user._oncocenter_roles = cached
    return cached


def has_perm(user: Any, perm: str) -> bool:
    allowed = roles_with(perm)
    return bool(user_roles(user) & allowed)


def require(user: Any, perm: str) -> None:
    """Raise NotPermitted unless one of the user's roles grants `perm`."""
    if not has_perm(user, perm):
        raise NotPermitted(f"Your roles do not include the permission '{perm}'.", permission=perm)


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    roles = frozenset(roles)
    return frozenset(p for p, allowed in PERMISSIONS.items() if roles & allowed)
