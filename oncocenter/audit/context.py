"""Who is acting, bound per request (or per command) so every audit event carries it."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any


@dataclass
class AuditContext:
    user: Any = None
    role: str = ""
    client_address: str = ""
    request_id: str = ""
    # Commands and the demo seeder act as the system, not as a person.
    system_actor: str = ""
    # The prefix of the API token the request came with (named on every event it causes).
    token: str = ""


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "oncocenter_audit_context", default=None
)


def current_context() -> AuditContext:
    ctx = _current.get()
    return ctx if ctx is not None else AuditContext(system_actor="system")


def bind_context(ctx: AuditContext) -> contextvars.Token[AuditContext | None]:
    return _current.set(ctx)


def reset_context(token: contextvars.Token[AuditContext | None]) -> None:
    _current.reset(token)


def set_user(user: Any, role: str) -> None:
    """Called by API token authentication, which happens after the middleware bound the request."""
    ctx = _current.get()
    if ctx is not None:
        ctx.user = user
        ctx.role = role


def set_token(prefix: str) -> None:
    """Called by API token authentication: later events of the request name the token."""
    ctx = _current.get()
    if ctx is not None:
        ctx.token = prefix
