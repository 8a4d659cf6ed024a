"""Request id for every request, and one way from a domain error to a page.

`DomainErrorMiddleware` is the single place where an error a view did not handle becomes a page:
`NotPermitted` -> 403, `NotFound` (and Django's `Http404`) -> 404, `Conflict` -> 409, a
`ValidationFailed` that escaped its form -> 422, each rendered in the shell with the message in
the user's language. An htmx request gets the same content as a fragment retargeted to `#main`,
so an error never lands nested inside the block that asked. The JSON API (`/api/`) has its own
handlers (problem JSON, `config/api.py`) and is left alone here.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from oncocenter.core.errors import DomainError, NotFound, NotPermitted

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request: HttpRequest) -> str:
    """The client's address: with N trusted proxies (TRUSTED_PROXY_COUNT), the N-th entry of
    X-Forwarded-For counted from the right (each proxy appends the address it saw; the leftmost
    entries are the client's to choose); otherwise the socket's address. Anything that is not
    an IP address is ignored."""
    remote = str(request.META.get("REMOTE_ADDR", ""))[:64]
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if hops:
            candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Django's admin and the API docs page (Swagger UI) set style attributes of their own; their
# scripts stay restricted to our own files.
CSP_RELAXED_STYLES = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline scripts or styles), Permissions-Policy, and
    `Cache-Control: no-store` on everything a signed-in user or an API client receives (patient
    data must not stay in shared browser caches or proxies)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        relaxed = request.path.startswith(("/admin/", "/api/docs"))
        response.headers.setdefault(
            "Content-Security-Policy", CSP_RELAXED_STYLES if relaxed else CSP
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


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


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_response(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    message: str,
    problems: list[tuple[str, str]] | None = None,
    permission: str | None = None,
    break_glass_url: str = "",
) -> HttpResponse:
    """Render an error in the shell (a full page), or as a fragment for htmx swapped into #main."""
    context = {
        "break_glass_url": break_glass_url,
        "status": status,
        "title": title,
        "message": message,
        "problems": problems or [],
        "permission": permission,
    }
    if is_htmx(request):
        response = render(request, "core/_error.html", context, status=status)
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "core/error.html", context, status=status)


def forbidden_response(
    request: HttpRequest, permission: str | None, message: str = ""
) -> HttpResponse:
    """403 in the shell. Without a permission name (e.g. a lapsed credential) the refusal's own
    message says why. On a page about one patient that a read permission guards, someone who may
    break the glass is offered the form to do so (issue 17)."""
    response = error_response(
        request,
        status=403,
        title=_("Not permitted"),
        message=message or _("Your roles do not allow this."),
        permission=permission,
        break_glass_url=_break_glass_url(request, permission),
    )
    return response


def _break_glass_url(request: HttpRequest, permission: str | None) -> str:
    from django.urls import NoReverseMatch, reverse
    from django.utils.http import urlencode

    from oncocenter.core.permissions import breakable, has_perm

    match = getattr(request, "resolver_match", None)
    mrn = match.kwargs.get("mrn") if match is not None else None
    if (
        not permission
        or not isinstance(mrn, str)
        or request.method not in ("GET", "HEAD")
        or not breakable(permission)
        or not has_perm(request.user, "breakglass.use")
    ):
        return ""
    try:
        url = reverse("patients:break-glass", kwargs={"mrn": mrn})
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


def domain_error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, NotPermitted):
        return forbidden_response(request, exc.permission, exc.message)
    title = {
        404: _("Not found"),
        409: _("Not possible now"),
        422: _("Not saved: please correct the input"),
    }.get(exc.status, _("Not possible"))
    return error_response(
        request,
        status=exc.status,
        title=str(title),
        message=exc.message,
        problems=[(p.label_or_field(), p.message) for p in exc.problems],
    )


class DomainErrorMiddleware:
    """Turn the typed errors a page view let through into proper 4xx pages (never a 500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, DomainError):
            return domain_error_response(request, exception)
        if isinstance(exception, Http404):
            return domain_error_response(
                request, NotFound(_("This page or record does not exist."))
            )
        if isinstance(exception, PermissionDenied):
            return forbidden_response(request, None)
        return None
