"""Declared access of every view and API endpoint (issue 17).

Each URL callback and each ninja operation carries the access it needs as an attribute, so that a
test can walk the URL conf and the OpenAPI, fail on anything undeclared, and request everything
as every role to hold the behaviour to the declaration:

- a permission name from `oncocenter.core.permissions` (views: `@permission_required`, endpoints:
  `@permission`): the roles of the table are allowed, every other signed-in user gets 403;
- `PUBLIC`: no sign-in needed (sign-in pages, health check, static catalogues);
- `SIGNED_IN`: any signed-in staff user; what the view shows is the user's own (profile, tokens,
  role switch, own jobs);
- `PORTAL`: a patient or guardian signed in to the portal (the portal's own decorator);
- `FHIR_RESOURCE`: the FHIR server; each resource type needs the permission of its own app
  (`interop.fhir.server.SOURCES`), a bulk export's files only their owner;
- `ADMIN_SITE`: the Django admin (`admin/`), behind `admin.view`.

Views that are not ours are declared by their URL prefix in `PREFIXES`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

ACCESS_ATTR = "oncocenter_access"
PUBLIC = "public"
SIGNED_IN = "signed-in"
PORTAL = "portal"
ADMIN_SITE = "admin-site"
FHIR_RESOURCE = "fhir-resource"
KINDS = frozenset({PUBLIC, SIGNED_IN, PORTAL, ADMIN_SITE, FHIR_RESOURCE})

# URL prefixes whose views come from Django itself: the admin site, the language switch and the
# JavaScript catalogue.
PREFIXES = {"admin/": ADMIN_SITE, "i18n/": PUBLIC, "jsi18n/": PUBLIC}

F = TypeVar("F", bound=Callable[..., Any])


def declare(access: str) -> Callable[[F], F]:
    """Mark a view or endpoint with its access; the function itself is returned unchanged."""

    def mark(func: F) -> F:
        setattr(func, ACCESS_ATTR, access)
        return func

    return mark


def permission(perm: str) -> Callable[[F], F]:
    """An API endpoint needs `perm`. Checked by `config.api` right after authentication, before
    the request's input is read (a role without it gets 403 whatever it sends)."""
    from oncocenter.core.permissions import PERMISSIONS

    if perm not in PERMISSIONS:
        raise LookupError(f"unknown permission {perm!r}")
    return declare(perm)


def access_of(func: Any) -> str | None:
    """The declared access of a view callback (following decorators that keep `__wrapped__`)."""
    seen = 0
    while func is not None and seen < 10:
        found = getattr(func, ACCESS_ATTR, None)
        if found:
            return str(found)
        func = getattr(func, "__wrapped__", None) or getattr(func, "view_class", None)
        seen += 1
    return None
