"""Request id and audit context for every request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from oncocenter.audit.context import AuditContext, bind_context, reset_context

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request: HttpRequest) -> str:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class RequestIdMiddleware:
    """Give each request an id (or keep a well-formed one from a proxy) and echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class AuditContextMiddleware:
    """Bind who is asking, in which role, from where, so services can audit without the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from oncocenter.accounts.selectors import active_role

        user = getattr(request, "user", None)
        ctx = AuditContext(
            user=user if user is not None and user.is_authenticated else None,
            role=active_role(request) if user is not None and user.is_authenticated else "",
            client_address=client_address(request),
            request_id=getattr(request, "request_id", ""),
        )
        token = bind_context(ctx)
        try:
            return self.get_response(request)
        finally:
            reset_context(token)
