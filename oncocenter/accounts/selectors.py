from __future__ import annotations

from django.http import HttpRequest

from oncocenter.core.permissions import user_roles
from oncocenter.core.roles import Role

ROLE_SESSION_KEY = "oncocenter_active_role"


def active_role(request: HttpRequest) -> str:
    """The role the user works in now: chosen in the header, else their first role."""
    roles = user_roles(getattr(request, "user", None))
    if not roles:
        return ""
    session = getattr(request, "session", None)
    chosen = session.get(ROLE_SESSION_KEY) if session is not None else None
    if chosen in roles:
        return str(chosen)
    order = list(Role.values)
    return sorted(roles, key=order.index)[0]
