"""Bind who is asking, in which role, from where, so services can audit without the request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from oncocenter.audit.context import AuditContext, bind_context, reset_context
from oncocenter.core.middleware import client_address
from oncocenter.core.permissions import active_role


class AuditContextMiddleware:
    """Runs after authentication; API token authentication updates the bound user later."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        ctx = AuditContext(
            user=user if signed_in else None,
            role=active_role(request) if signed_in else "",
            client_address=client_address(request),
            request_id=getattr(request, "request_id", ""),
        )
        token = bind_context(ctx)
        try:
            return self.get_response(request)
        finally:
            reset_context(token)
