"""Shell views: home per role, role switch, health check; the view permission decorator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from oncocenter.core.access import ACCESS_ATTR, PUBLIC, SIGNED_IN, declare
from oncocenter.core.events import HomePanelsShown, publish
from oncocenter.core.middleware import forbidden_response
from oncocenter.core.permissions import (
    BREAK_GLASS,
    ROLE_SESSION_KEY,
    active_role,
    breakable,
    has_perm,
    user_roles,
)
from oncocenter.core.registry import registry


def _glass(request: HttpRequest, perm: str, kwargs: dict[str, Any]) -> bool:
    """An open break-the-glass grant on the patient of this page lets a GET read it (issue 17)."""
    mrn = kwargs.get("mrn")
    if request.method not in ("GET", "HEAD") or not isinstance(mrn, str) or not breakable(perm):
        return False
    for provider in BREAK_GLASS.providers():
        if provider(request.user, mrn, perm):
            request.user._oncocenter_glass = mrn  # type: ignore[union-attr]
            return True
    return False


def permission_required(
    perm: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in required; then 403 (a page that names the permission) unless a role grants `perm`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_perm(request.user, perm) and not _glass(request, perm, kwargs):
                return forbidden_response(request, perm)
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, perm)
        return wrapped

    return decorator


def login_required_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTR, SIGNED_IN)
    return wrapped


@require_GET
@login_required_view
def home(request: HttpRequest) -> HttpResponse:
    role = active_role(request)
    panels = []
    shown: list[tuple[str, dict[str, Any]]] = []
    for panel in sorted(registry.panels, key=lambda p: p.order):
        if role not in panel.roles:
            continue
        if panel.permission and not has_perm(request.user, panel.permission):
            continue
        context = panel.context(request)
        if context is not None:
            panels.append({"panel": panel, "context": context})
            shown.append((panel.key, context))
    publish(HomePanelsShown(panels=tuple(shown)))
    return render(request, "core/home.html", {"panels": panels})


@require_POST
@login_required_view
def switch_role(request: HttpRequest) -> HttpResponse:
    role = request.POST.get("role", "")
    if role in user_roles(request.user):
        request.session[ROLE_SESSION_KEY] = role
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@declare(PUBLIC)
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
