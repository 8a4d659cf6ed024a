"""The HTTP side of the FHIR R4 server at /fhir/: JSON only, OperationOutcome for every refusal.

Authentication is the API's: the staff session or `Authorization: Bearer <token>`. Each resource
type is readable with the permission its app's data already needs (`PERMISSION_OF` in
`server.py` sources), so the FHIR surface shows no more than the pages and the API do. Every
read is audited like the API's: a read event per resource read, a search event per search
naming the patients in the page.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from oncocenter.accounts.models import ApiToken
from oncocenter.accounts.selectors import current_user
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import FHIR_RESOURCE, PUBLIC, declare
from oncocenter.core.permissions import has_perm
from oncocenter.interop.fhir import capability, server
from oncocenter.interop.fhir import terminology as tx
from oncocenter.interop.fhir.params import ParamError
from oncocenter.patients.models import Patient

FHIR_JSON = "application/fhir+json; charset=utf-8"


def fhir_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=FHIR_JSON,
    )
    for k, v in (headers or {}).items():
        response[k] = v
    return response


def outcome(status: int, code: str, diagnostics: str, severity: str = "error") -> HttpResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }
    headers = {"WWW-Authenticate": 'Bearer realm="oncocenter"'} if status == 401 else None
    return fhir_response(body, status, headers)


def _authenticate(request: HttpRequest, *, write: bool = False) -> Any:
    """The staff session, or a bearer token whose scopes cover FHIR (`read`/`write`, or
    `read:fhir`/`write:fhir`, SMART-style: writing implies reading). A token without the scope
    is refused with 403, not treated as anonymous."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        from oncocenter.accounts.services import token_lookup, token_record_use
        from oncocenter.audit.context import set_token, set_user
        from oncocenter.core.permissions import active_role

        token = token_lookup(header[7:].strip())
        if token is None:
            return None
        if not token.allows(area="fhir", write=write):
            return token
        request.user = token.user
        set_user(token.user, active_role(request))
        set_token(token.prefix)
        token_record_use(token=token, method=request.method or "", path=request.path)
        return token.user
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir").rstrip("/")


def _guard(
    request: HttpRequest, resource_type: str | None = None, *, write: bool = False
) -> HttpResponse | None:
    who = _authenticate(request, write=write)
    if who is None:
        return outcome(401, "login", "Sign in, or send 'Authorization: Bearer <token>'.")
    if isinstance(who, ApiToken):
        return outcome(
            403,
            "forbidden",
            f"This token's scopes ({', '.join(who.scopes) or 'none'}) do not allow "
            f"{'writing' if write else 'reading'} FHIR resources (needs "
            f"'{'write' if write else 'read'}:fhir' or '{'write' if write else 'read'}').",
        )
    accept = request.headers.get("Accept", "")
    if accept and not any(t in accept for t in ("json", "*/*")):
        return outcome(406, "not-supported", f"Only JSON is served here (asked for {accept!r}).")
    fmt = request.GET.get("_format", "")
    if fmt and "json" not in fmt:
        return outcome(406, "not-supported", f"_format {fmt!r}: only JSON is served here.")
    if resource_type is not None:
        if resource_type not in server.SOURCES:
            return outcome(
                404, "not-supported", f"Resource type {resource_type!r} is not served here."
            )
        perms = {s.permission for s in server.SOURCES[resource_type]}
        if not any(has_perm(request.user, p) for p in perms):
            return outcome(
                403,
                "forbidden",
                f"Your roles do not include the permission {' or '.join(sorted(perms))!r}.",
            )
    return None


def _visible(request: HttpRequest, resource_type: str) -> list[server.Source]:
    return [s for s in server.SOURCES[resource_type] if has_perm(request.user, s.permission)]


@declare(PUBLIC)
@csrf_exempt
@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement; public, as FHIR clients read it before they authenticate."""
    return fhir_response(capability.capability_statement(base_url(request)))


@declare(FHIR_RESOURCE)
@csrf_exempt
def root(request: HttpRequest) -> HttpResponse:
    """`POST /fhir`: a transaction or batch Bundle (see `transaction.py`)."""
    from django.middleware.csrf import CsrfViewMiddleware

    from oncocenter.interop.fhir import transaction

    if request.method != "POST":
        return outcome(405, "not-supported", "POST a transaction or batch Bundle here.")
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        # A session write is a browser's: it needs the CSRF token like any other form.
        # (The callback must not carry csrf_exempt, or the middleware would skip the check.)
        def checked(r: HttpRequest) -> HttpResponse:
            return HttpResponse()

        refused = CsrfViewMiddleware(checked).process_view(request, checked, (), {})
        if refused is not None:
            return outcome(403, "forbidden", "CSRF check failed; send the CSRF token.")
    denied = _guard(request, write=True)
    if denied:
        return denied
    ctype = request.headers.get("Content-Type", "")
    if "json" not in ctype:
        return outcome(415, "not-supported", f"Content-Type {ctype!r}: send application/fhir+json.")
    try:
        body = json.loads(request.body or b"null")
    except ValueError as exc:
        return outcome(400, "structure", f"The body is not JSON ({exc}).")
    try:
        status, result = transaction.bundle_process(by=current_user(request), bundle=body)
    except transaction.BundleError as exc:
        return outcome(400, "invalid", str(exc))
    return fhir_response(result, status)


@declare(FHIR_RESOURCE)
@require_GET
def concept_map(request: HttpRequest, name: str) -> HttpResponse:
    denied = _guard(request)
    if denied:
        return denied
    key = name.replace("-", "_")
    if key not in tx.map_names():
        return outcome(404, "not-found", f"No ConceptMap {name!r}.")
    return fhir_response(tx.as_concept_map(key, base_url(request)))


@declare(FHIR_RESOURCE)
@require_GET
def value_set(request: HttpRequest, name: str | None = None) -> HttpResponse:
    """The value sets held here (targets of the maintained maps), for `code:in=` searches."""
    denied = _guard(request)
    if denied:
        return denied
    base = base_url(request)
    if name is None:
        sets = [tx.as_value_set(n, base) for n in tx.map_names()]
        return fhir_response(
            {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": len(sets),
                "entry": [_entry(base, v, "match") for v in sets],
            }
        )
    key = name.replace("-", "_")
    if key not in tx.map_names():
        return outcome(404, "not-found", f"No ValueSet {name!r}.")
    return fhir_response(tx.as_value_set(key, base))


def _entry(base: str, res: dict[str, Any], mode: str) -> dict[str, Any]:
    return {
        "fullUrl": f"{base}/{res['resourceType']}/{res['id']}",
        "resource": res,
        "search": {"mode": mode},
    }


def _int_param(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise ParamError(f"{name}: {raw!r} is not a non-negative integer")
    return min(int(raw), maximum)


@declare(FHIR_RESOURCE)
@require_GET
def search_type(request: HttpRequest, resource_type: str) -> HttpResponse:
    denied = _guard(request, resource_type)
    if denied:
        return denied
    params = [(k, v) for k in request.GET for v in request.GET.getlist(k)]
    try:
        count = _int_param(request, "_count", server.DEFAULT_COUNT, server.MAX_COUNT)
        offset = _int_param(request, "_offset", 0, 10**9)
        includes = request.GET.getlist("_include")
        rev_types = server.revinclude_types(resource_type, request.GET.getlist("_revinclude"))
        for rtype in rev_types:
            denied = _guard(request, rtype)
            if denied:
                return denied
        page = server.search(
            resource_type,
            [
                (k, v)
                for k, v in params
                if k
                not in (
                    "_count",
                    "_offset",
                    "_include",
                    "_revinclude",
                    "_format",
                    "_pretty",
                    "_total",
                )
            ],
            count=count,
            offset=offset,
            includes=includes,
            sources=_visible(request, resource_type),
        )
        if rev_types:
            page.included += server.revincluded(
                sorted({p.mrn for _, _, p in page.resources if p is not None}),
                [s for rtype in rev_types for s in _visible(request, rtype)],
            )
    except ParamError as exc:
        return outcome(400, "invalid", str(exc))
    base = base_url(request)
    mrns = sorted({p.mrn for _, _, p in page.resources if p is not None})
    audit_record(
        action=AuditAction.SEARCH,
        object_type=f"fhir.{resource_type}",
        detail={
            "query": request.GET.urlencode()[:200],
            "count": len(page.resources),
            "mrns": mrns[:200],
        },
    )
    keep = [(k, v) for k, v in params if k not in ("_offset",)]
    links = [{"relation": "self", "url": f"{base}/{resource_type}?{request.GET.urlencode()}"}]
    if offset + count < page.total and count > 0:
        nxt = urlencode(
            [*keep, ("_offset", str(offset + count))]
            if ("_count", str(count)) in keep
            else [*keep, ("_count", str(count)), ("_offset", str(offset + count))]
        )
        links.append({"relation": "next", "url": f"{base}/{resource_type}?{nxt}"})
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": page.total,
        "link": links,
        "entry": [_entry(base, r, "match") for _, r, _ in page.resources]
        + [_entry(base, r, "include") for r in page.included],
    }
    return fhir_response(bundle)


def _etag(res: dict[str, Any]) -> str:
    return f'W/"{res["meta"]["versionId"]}"'


@declare(FHIR_RESOURCE)
@require_GET
def read(
    request: HttpRequest, resource_type: str, rid: str, vid: str | None = None
) -> HttpResponse:
    denied = _guard(request, resource_type)
    if denied:
        return denied
    found = server.read(resource_type, rid, _visible(request, resource_type))
    if found is None:
        return outcome(404, "not-found", f"No {resource_type}/{rid}.")
    _source, res, patient = found
    if vid is not None and vid != res["meta"]["versionId"]:
        from oncocenter.interop.models import ResourceVersion

        old = ResourceVersion.objects.filter(
            resource_type=resource_type, resource_id=rid, version_id=vid
        ).first()
        if old is None:
            return outcome(
                404,
                "not-found",
                f"{resource_type}/{rid} has no version {vid} (see {resource_type}/{rid}/_history).",
            )
        res = old.resource
    if request.headers.get("If-None-Match") == _etag(res):
        return HttpResponse(status=304)
    audit_record(
        action=AuditAction.READ,
        object_type=f"fhir.{resource_type}",
        object_id=rid,
        patient=patient if isinstance(patient, Patient) else None,
    )
    headers = {"ETag": _etag(res)}
    if "lastUpdated" in res["meta"]:
        headers["Last-Modified"] = res["meta"]["lastUpdated"]
    return fhir_response(res, headers=headers)


@declare(FHIR_RESOURCE)
@require_GET
def history(request: HttpRequest, resource_type: str, rid: str) -> HttpResponse:
    """`[type]/[id]/_history`: the stored versions, newest first (the current one always)."""
    from oncocenter.interop.fhir import history as versions

    denied = _guard(request, resource_type)
    if denied:
        return denied
    found = server.read(resource_type, rid, _visible(request, resource_type))
    if found is None:
        return outcome(404, "not-found", f"No {resource_type}/{rid}.")
    _source, current, patient = found
    stored = versions.versions(resource_type, rid)
    resources = [v.resource for v in stored]
    if not any(r["meta"]["versionId"] == current["meta"]["versionId"] for r in resources):
        resources.insert(0, current)
    audit_record(
        action=AuditAction.READ,
        object_type=f"fhir.{resource_type}",
        object_id=rid,
        patient=patient if isinstance(patient, Patient) else None,
        detail={"operation": "_history", "versions": len(resources)},
    )
    base = base_url(request)
    entries = []
    for i, res in enumerate(resources):
        first = i == len(resources) - 1
        entries.append(
            {
                "fullUrl": f"{base}/{resource_type}/{rid}",
                "resource": res,
                "request": {
                    "method": "POST" if first else "PUT",
                    "url": resource_type if first else f"{resource_type}/{rid}",
                },
                "response": {
                    "status": "201 Created" if first else "200 OK",
                    "etag": _etag(res),
                    **(
                        {"lastModified": res["meta"]["lastUpdated"]}
                        if "lastUpdated" in res["meta"]
                        else {}
                    ),
                },
            }
        )
    return fhir_response(
        {"resourceType": "Bundle", "type": "history", "total": len(entries), "entry": entries}
    )


HISTORY_PARAMS = ("_since", "_count", "_offset", "_format", "_pretty")


@declare(FHIR_RESOURCE)
@require_GET
def history_all(request: HttpRequest, resource_type: str | None = None) -> HttpResponse:
    """`[type]/_history` and `_history`: the stored versions of every resource of the type (or of
    every type) the role may read, newest first; `_since` (an instant), `_count` and paging."""
    from oncocenter.interop.fhir import history as versions
    from oncocenter.interop.fhir.params import parse_date

    denied = _guard(request, resource_type)
    if denied:
        return denied
    try:
        unknown = sorted(k for k in request.GET if k not in HISTORY_PARAMS)
        if unknown:
            raise ParamError(
                f"{unknown[0]}: not a parameter of _history (use {', '.join(HISTORY_PARAMS)})"
            )
        since = None
        if "_since" in request.GET:
            raw = request.GET["_since"]
            parsed = parse_date("_since", raw, timezone.get_current_timezone())
            if parsed.prefix != "eq" or "T" not in raw:
                raise ParamError(f"_since: {raw!r} is not an instant (YYYY-MM-DDThh:mm:ss+zz:zz)")
            since = parsed.start
        count = _int_param(request, "_count", server.DEFAULT_COUNT, server.MAX_COUNT)
        offset = _int_param(request, "_offset", 0, 10**9)
    except ParamError as exc:
        return outcome(400, "invalid", str(exc))
    types = [resource_type] if resource_type else sorted(server.SOURCES)
    sources = [s for t in types for s in _visible(request, t)]
    if not sources:
        return outcome(403, "forbidden", "Your roles do not allow reading any FHIR resource.")
    total, page = versions.stored_page(sources, since=since, count=count, offset=offset)
    mrns = sorted({m for v in page if (m := versions.patient_of(v.resource))})
    audit_record(
        action=AuditAction.SEARCH,
        object_type=f"fhir.{resource_type or 'system'}",
        detail={
            "operation": "_history",
            "query": request.GET.urlencode()[:200],
            "count": len(page),
            "mrns": mrns[:200],
        },
    )
    base = base_url(request)
    path = f"{base}/{resource_type}/_history" if resource_type else f"{base}/_history"
    keep = [
        (k, v)
        for k in request.GET
        for v in request.GET.getlist(k)
        if k not in ("_offset", "_count")
    ]
    links = [{"relation": "self", "url": f"{path}?{request.GET.urlencode()}"}]
    if offset + count < total and count > 0:
        nxt = urlencode([*keep, ("_count", str(count)), ("_offset", str(offset + count))])
        links.append({"relation": "next", "url": f"{path}?{nxt}"})
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "history",
            "total": total,
            "link": links,
            "entry": [
                {
                    "fullUrl": f"{base}/{v.resource_type}/{v.resource_id}",
                    "resource": v.resource,
                    "request": {"method": "PUT", "url": f"{v.resource_type}/{v.resource_id}"},
                    "response": {
                        "status": "200 OK",
                        "etag": _etag(v.resource),
                        "lastModified": v.last_updated.isoformat(),
                    },
                }
                for v in page
            ],
        }
    )


@declare(FHIR_RESOURCE)
@require_GET
def patient_everything(request: HttpRequest, rid: str) -> HttpResponse:
    """Patient/[id]/$everything (and mCODE's $mcode-everything): the record served here."""
    denied = _guard(request, "Patient")
    if denied:
        return denied
    patient = Patient.objects.prefetch_related("identifiers").filter(mrn=rid).first()
    if patient is None:
        return outcome(404, "not-found", f"No Patient/{rid}.")
    from oncocenter.interop.fhir import resources as R

    types = [
        t
        for t in (
            "Condition",
            "Observation",
            "Procedure",
            "MedicationRequest",
            "MedicationAdministration",
            "Appointment",
            "Encounter",
            "CarePlan",
            "ServiceRequest",
            "DiagnosticReport",
        )
        if _visible(request, t)
    ]
    entries = [R.patient(patient, list(patient.identifiers.all()))]
    allowed = {id(s) for t in types for s in _visible(request, t)}
    entries += [res for source, res in server.everything(patient, types) if id(source) in allowed]
    audit_record(
        action=AuditAction.EXPORT,
        obj=patient,
        detail={"format": "fhir", "operation": "$everything", "count": len(entries)},
    )
    base = base_url(request)
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(entries),
            "entry": [_entry(base, r, "match") for r in entries],
        }
    )


@declare("fhir.bulk_export")
@require_GET
def group_export(request: HttpRequest, center: str) -> HttpResponse:
    """Group/<center>/$export: kick off a Bulk Data export of the center's patients."""
    from oncocenter.interop.fhir import bulk
    from oncocenter.patients.models import Center

    denied = _guard(request, "Patient")
    if denied:
        return denied
    if not has_perm(request.user, "fhir.bulk_export"):
        return outcome(
            403, "forbidden", "Your roles do not include the permission 'fhir.bulk_export'."
        )
    if request.headers.get("Prefer", "") != "respond-async":
        return outcome(400, "invalid", "Bulk export is asynchronous: send 'Prefer: respond-async'.")
    if not Center.objects.filter(code=center).exists():
        return outcome(404, "not-found", f"No Group/{center} (groups are the centers).")
    fmt = request.GET.get("_outputFormat", "application/fhir+ndjson")
    if fmt not in ("application/fhir+ndjson", "application/ndjson", "ndjson"):
        return outcome(400, "invalid", f"_outputFormat {fmt!r}: only NDJSON is written.")
    types = [t for t in request.GET.get("_type", ",".join(bulk.TYPES)).split(",") if t]
    unknown = [t for t in types if t not in bulk.TYPES]
    if unknown:
        return outcome(
            400,
            "invalid",
            f"_type: {', '.join(unknown)} not exported (exported: {', '.join(bulk.TYPES)}).",
        )
    import secrets

    job_id = secrets.token_hex(8)
    user_id = int(request.user.pk or 0)
    bulk.bulk_export_task.enqueue(user_id, center, types, job_id)
    status = f"{base_url(request)}/$export-status/{request.user.pk}-{job_id}"
    response = HttpResponse(status=202)
    response["Content-Location"] = status
    return response


def _job(request: HttpRequest, ref: str) -> tuple[HttpResponse | None, str]:
    owner, _, job_id = ref.partition("-")
    if not owner.isdigit() or int(owner) != request.user.pk or not job_id.isalnum():
        return outcome(404, "not-found", "No such export for you."), ""
    return None, job_id


@declare(FHIR_RESOURCE)
@require_GET
def export_status(request: HttpRequest, ref: str) -> HttpResponse:
    from oncocenter.interop.fhir import bulk

    denied = _guard(request)
    if denied:
        return denied
    missing, job_id = _job(request, ref)
    if missing:
        return missing
    folder = bulk.export_dir(job_id)
    done = folder / "done.json"
    if not done.exists():
        response = HttpResponse(status=202)
        response["X-Progress"] = "in progress" if folder.exists() else "queued"
        return response
    info = json.loads(done.read_text())
    base = base_url(request)
    return fhir_response(
        {
            "transactionTime": info["transactionTime"],
            "request": f"{base}/Group/$export",
            "requiresAccessToken": True,
            "output": [
                {"type": t, "url": f"{base}/$export-file/{ref}/{t}.ndjson", "count": n}
                for t, n in info["counts"].items()
            ],
            "error": [],
        }
    )


@declare(FHIR_RESOURCE)
@require_GET
def export_file(request: HttpRequest, ref: str, resource_type: str) -> HttpResponse:
    from oncocenter.interop.fhir import bulk

    denied = _guard(request)
    if denied:
        return denied
    missing, job_id = _job(request, ref)
    if missing:
        return missing
    path = bulk.export_dir(job_id) / f"{resource_type}.ndjson"
    if resource_type not in bulk.TYPES or not path.exists():
        return outcome(404, "not-found", f"No {resource_type} file in this export.")
    return HttpResponse(path.read_bytes(), content_type="application/fhir+ndjson")
