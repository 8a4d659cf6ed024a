"""The JSON API: one NinjaAPI, each app contributes a Router; errors are problem JSON."""

from __future__ import annotations

import re
from typing import Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from oncocenter.core.errors import DomainError


class SessionAuth(APIKeyCookie):
    """The staff UI's session cookie; CSRF is checked on unsafe methods, but only when a session
    cookie is actually sent (a machine client with a bearer token has none, and the token is
    tried first)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated:
            return user
        return None


def api_area(path: str) -> str:
    """`/api/patients/P1` -> `patients`: the area a token scope names."""
    prefix = "/api/"
    rest = path[path.index(prefix) + len(prefix) :] if prefix in path else path.lstrip("/")
    return rest.split("/", 1)[0]


class TokenAuth(HttpBearer):
    """`Authorization: Bearer oc_...` for API clients: no CSRF (a browser never sends this header
    on its own), scoped to read/write per area, lapsing when idle; each use is audited."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from oncocenter.accounts.services import token_lookup, token_record_use
        from oncocenter.audit.context import set_token, set_user
        from oncocenter.core.permissions import active_role

        found = token_lookup(token)
        if found is None:
            return None
        area = api_area(request.path)
        write = request.method not in ("GET", "HEAD", "OPTIONS")
        # Every token may ask who it belongs to.
        if area != "auth" and not found.allows(area=area, write=write):
            raise HttpError(
                403,
                f"This token's scopes ({', '.join(found.scopes) or 'none'}) do not allow "
                f"{'writing' if write else 'reading'} in '{area}'.",
            )
        user = found.user
        request.user = user
        set_user(user, active_role(request))
        set_token(found.prefix)
        token_record_use(token=found, method=request.method or "", path=request.path)
        return user


api = NinjaAPI(
    title="OncoCenter API",
    version="1",
    description="Staff API of OncoCenter. Authenticate with a session cookie or a bearer token "
    "from POST /api/auth/token. Errors are JSON with `status`, `detail` and `errors[]` "
    "(each names the `field` and the rule broken).",
    # The token first: a machine client's request never reaches the cookie's CSRF check.
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def problem(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    code: str = "",
) -> HttpResponse:
    body: dict[str, Any] = {
        "status": status,
        "title": title,
        "detail": detail,
        "errors": errors or [],
    }
    if code:
        body["code"] = code
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(
        request,
        status=exc.status,
        title=exc.code,
        detail=str(exc),
        errors=[p.as_dict() for p in exc.problems],
        code=exc.code,
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        parts = list(err.get("loc", []))
        # The first part names where the input came from; an upload's is "file" ("file.file").
        if parts and parts[0] in ("file", "form", "header", "cookie"):
            parts = parts[1:]
        loc = [
            str(part) for part in parts if part not in ("body", "query", "path", "payload", "data")
        ]
        errors.append({"field": ".".join(loc) or "body", "message": err.get("msg", "invalid")})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        request, status=422, title="validation", detail=detail, errors=errors, code="validation"
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        status=401,
        title="unauthenticated",
        detail="Sign in, or send 'Authorization: Bearer <token>'.",
        code="unauthenticated",
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(
        request, status=404, title="not_found", detail=str(exc) or "Not found.", code="not_found"
    )


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # PostgreSQL refuses a value longer than its column; the schemas bound free text, this is the
    # net under a shorter column (422, not 500; SQLite does not check lengths).
    return problem(
        request,
        status=422,
        title="validation",
        detail="A value is too long or out of range for where it is stored.",
        code="validation",
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, status=exc.status_code, title="error", detail=str(exc))


def _mount() -> None:
    from oncocenter.accounts.api import router as accounts_router
    from oncocenter.aid.api import router as aid_router
    from oncocenter.audit.api import router as audit_router
    from oncocenter.clinics.api import router as clinics_router
    from oncocenter.followup.api import router as followup_router
    from oncocenter.interop.api import router as interop_router
    from oncocenter.jobs.api import router as jobs_router
    from oncocenter.labs.api import router as labs_router
    from oncocenter.machines.api import router as machines_router
    from oncocenter.mdt.api import router as mdt_router
    from oncocenter.nutrition.api import router as nutrition_router
    from oncocenter.oncology.api import copay_router
    from oncocenter.oncology.api import router as oncology_router
    from oncocenter.palliative.api import router as palliative_router
    from oncocenter.patients.api import router as patients_router
    from oncocenter.pediatrics.api import router as pediatrics_router
    from oncocenter.portal.api import router as portal_router
    from oncocenter.radiotherapy.api import router as radiotherapy_router
    from oncocenter.referrals.api import router as referrals_router
    from oncocenter.scheduling.api import router as scheduling_router
    from oncocenter.school.api import router as school_router
    from oncocenter.shelter.api import router as shelter_router
    from oncocenter.socialwork.api import router as socialwork_router
    from oncocenter.surgery.api import router as surgery_router
    from oncocenter.systemic.api import router as systemic_router
    from oncocenter.trials.api import router as trials_router

    api.add_router("/auth/", accounts_router)
    api.add_router("/audit/", audit_router)
    api.add_router("/patients/", patients_router)
    # The co-payment registration moved to oncology (issue 14); its paths stay where they were.
    api.add_router("/patients/", copay_router)
    api.add_router("/oncology/", oncology_router)
    # The diagnosis FHIR bundle moved to interop (issue 20); its path stays.
    api.add_router("/oncology/", interop_router)
    api.add_router("/labs/", labs_router)
    api.add_router("/jobs/", jobs_router)
    api.add_router("/systemic/", systemic_router)
    api.add_router("/referrals/", referrals_router)
    api.add_router("/mdt/", mdt_router)
    api.add_router("/trials/", trials_router)
    api.add_router("/radiotherapy/", radiotherapy_router)
    api.add_router("/scheduling/", scheduling_router)
    api.add_router("/machines/", machines_router)
    api.add_router("/clinics/", clinics_router)
    api.add_router("/followup/", followup_router)
    api.add_router("/nutrition/", nutrition_router)
    api.add_router("/surgery/", surgery_router)
    api.add_router("/portal/", portal_router)
    # The pediatric services keep the address they had as one app ("support"); their paths
    # do not overlap.
    for router in (
        pediatrics_router,
        school_router,
        aid_router,
        shelter_router,
        palliative_router,
        socialwork_router,
    ):
        api.add_router("/support/", router)


def operations() -> list[tuple[str, str, Any]]:
    """Every operation of the API as (method, path, operation), path as in the OpenAPI: the
    operations ninja serves (bound to this API, cloned from the routers' templates; binding
    freezes the routers, so none can be added after)."""
    found = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = re.sub(r"/+", "/", f"/api/{bound.prefix}/{path}")
            for operation in path_view.operations:
                for method in operation.methods:
                    found.append((method, full, operation))
    return found


def _enforce_declared_permissions() -> None:
    """Each endpoint's declared permission (`oncocenter.core.access.permission`) is checked
    right after authentication and before its input is read, so a role without it gets 403
    whatever it sends. An endpoint with no declaration refuses to start the API."""
    from oncocenter.core.access import KINDS, access_of
    from oncocenter.core.permissions import require

    undeclared = []
    for method, path, operation in operations():
        access = access_of(operation.view_func)
        if access is None:
            undeclared.append(f"{method} {path}")
            continue
        if access in KINDS or getattr(operation, "_oncocenter_enforced", False):
            continue

        def checks(request: HttpRequest, _run=operation._run_checks, _perm=access) -> Any:
            error = _run(request)
            if error is not None:
                return error
            try:
                require(request.user, _perm)
            except DomainError as exc:
                return on_domain_error(request, exc)
            return None

        operation._run_checks = checks
        operation._oncocenter_enforced = True
    if undeclared:
        raise LookupError(
            "API endpoints without a declared permission (oncocenter.core.access): "
            + ", ".join(undeclared)
        )


_mount()
_enforce_declared_permissions()
