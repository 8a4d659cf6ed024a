"""FHIR writes: `POST /fhir` with a `transaction` or a `batch` Bundle.

Every entry is a create (`request.method` POST, `request.url` its resource type, optionally
`request.ifNoneExist` for a conditional create) and lands through the importer, so through the
same services (and their rules and audit) as a person typing it in: Patient (`patient_create`),
Condition (`diagnosis_create`), Observation (TNM stage group with its T, N and M members via
`hasMember`, ECOG/Karnofsky/Lansky, tumor marker, disease status, laboratory result).

A transaction is all or nothing: it runs in one database transaction and the first entry that
fails rolls everything back; the OperationOutcome names the entry (`Bundle.entry[i]`) and the
field. References between entries use the entries' `fullUrl` (`urn:uuid:...`) and are resolved
to the ids created here; references to resources already kept here (`Patient/<MRN>`,
`Condition/diagnosis-<n>`) must exist. A batch runs each entry on its own (a savepoint each) and
answers each with its status; a batch entry may not reference another entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.db import transaction
from pydantic import ValidationError

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import DomainError, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.interop.fhir import importer, server
from oncocenter.interop.fhir.importer import ImportContext, Refused
from oncocenter.interop.fhir.params import ParamError
from oncocenter.oncology.models import Diagnosis

MAX_ENTRIES = 500
WRITABLE = ("Patient", "Condition", "Observation")
_UUID = re.compile(
    r"^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
TNM_MEMBER_PROFILES = set(importer.R.AXES.values())
# What each reference field of a writable resource may point to.
REFERENCE_TARGETS = {
    "subject": ("Patient",),
    "focus": ("Condition",),
    "hasMember": ("Observation",),
}


@dataclass
class EntryError(Exception):
    """An entry that cannot be written: HTTP status, FHIR issue type, where, and why."""

    index: int
    status: int
    code: str
    expression: str
    message: str

    def __str__(self) -> str:
        return f"entry {self.index} ({self.expression}): {self.message}"


class BundleError(Exception):
    """The Bundle itself is not a transaction or batch this server can read."""


def write_permission(res: dict[str, Any]) -> str:
    """The permission a write of this resource needs: the one its own API endpoint requires."""
    rtype = res.get("resourceType")
    if rtype == "Patient":
        return "patient.create"
    if rtype == "Condition":
        return "diagnosis.edit"
    profiles = set(importer._profiles(res))
    if profiles & (TNM_MEMBER_PROFILES | {"mcode-tnm-stage-group"}):
        return "staging.edit"
    if not profiles and importer._is_lab(res):
        return "lab.result"
    return "observation.record"


def _references(value: Any, path: str) -> list[tuple[str, str]]:
    """Every (FHIRPath-ish location, reference) inside a resource."""
    out: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "reference" and isinstance(v, str):
                out.append((path, v))
            else:
                out += _references(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _references(v, f"{path}[{i}]")
    return out


@dataclass
class Entry:
    index: int
    full_url: str
    resource: dict[str, Any]
    if_none_exist: str
    status: str = ""
    location: str = ""
    error: EntryError | None = None

    @property
    def rtype(self) -> str:
        return str(self.resource.get("resourceType", ""))

    def fail(self, status: int, code: str, where: str, message: str) -> EntryError:
        return EntryError(self.index, status, code, f"Bundle.entry[{self.index}]{where}", message)


def _parse(bundle: Any) -> tuple[str, list[Entry | EntryError]]:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise BundleError("the body must be a Bundle resource")
    kind = bundle.get("type")
    if kind not in ("transaction", "batch"):
        raise BundleError(f"Bundle.type {kind!r}: only 'transaction' and 'batch' are processed")
    raw = bundle.get("entry", [])
    if not isinstance(raw, list):
        raise BundleError("Bundle.entry must be a list")
    if len(raw) > MAX_ENTRIES:
        raise BundleError(f"Bundle.entry: {len(raw)} entries, at most {MAX_ENTRIES} per Bundle")
    out: list[Entry | EntryError] = []
    seen_urls: dict[str, int] = {}
    for i, e in enumerate(raw):
        entry = Entry(i, "", {}, "")
        try:
            out.append(_parse_entry(e, entry, seen_urls))
        except EntryError as exc:
            out.append(exc)
    return kind, out


def _parse_entry(e: Any, entry: Entry, seen_urls: dict[str, int]) -> Entry:
    if not isinstance(e, dict):
        raise entry.fail(400, "structure", "", "an entry must be an object")
    request = e.get("request")
    if not isinstance(request, dict):
        raise entry.fail(400, "required", ".request", "is required (method and url)")
    method = request.get("method")
    if method != "POST":
        raise entry.fail(
            405,
            "not-supported",
            ".request.method",
            f"{method!r}: only POST (create, or conditional create with ifNoneExist) is "
            "supported; OncoCenter's records are corrected in its own workflows",
        )
    res = e.get("resource")
    if not isinstance(res, dict) or not res.get("resourceType"):
        raise entry.fail(400, "required", ".resource", "a resource with a resourceType is required")
    entry.resource = res
    url = str(request.get("url", ""))
    if url.split("?")[0].strip("/") != entry.rtype:
        raise entry.fail(
            400,
            "invalid",
            ".request.url",
            f"{url!r} does not match the resource's type {entry.rtype!r}",
        )
    full_url = e.get("fullUrl", "")
    if full_url:
        if not isinstance(full_url, str) or not _UUID.match(full_url):
            raise entry.fail(
                400, "invalid", ".fullUrl", f"{full_url!r}: a created entry's fullUrl is a urn:uuid"
            )
        if full_url in seen_urls:
            raise entry.fail(
                400, "duplicate", ".fullUrl", f"{full_url} is also entry {seen_urls[full_url]}"
            )
        seen_urls[full_url] = entry.index
    entry.full_url = full_url
    entry.if_none_exist = str(request.get("ifNoneExist", "") or "")
    if entry.rtype not in WRITABLE:
        reason = importer.NO_HOME.get(entry.rtype, f"no home in OncoCenter for {entry.rtype}")
        raise entry.fail(
            422, "not-supported", ".resource", f"{entry.rtype} is not written here: {reason}"
        )
    from fhir.resources.R4B import get_fhir_model_class

    try:
        get_fhir_model_class(entry.rtype).model_validate(res)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        raise entry.fail(400, "structure", f".resource{loc}", str(err["msg"])) from None
    return entry


def _target_type(ref: str, entries_by_url: dict[str, Entry]) -> str:
    if ref in entries_by_url:
        return entries_by_url[ref].rtype
    return ref.split("/", 1)[0] if "/" in ref else ""


def _check_references(
    entry: Entry, entries_by_url: dict[str, Entry], ctx: ImportContext, *, batch: bool
) -> None:
    """Every reference resolves (to an entry, or to a resource kept here) and has the right type."""
    for where, ref in _references(entry.resource, ""):
        field = where.lstrip(".").split(".")[0].split("[")[0]
        if ref.startswith("urn:uuid:"):
            if batch:
                raise entry.fail(
                    400,
                    "invalid",
                    f".resource{where}",
                    f"{ref}: a batch entry may not reference another entry (use a transaction)",
                )
            if ref not in entries_by_url:
                raise entry.fail(
                    400, "not-found", f".resource{where}", f"{ref} is not the fullUrl of an entry"
                )
        else:
            rtype, _, rid = ref.partition("/")
            if not rid or rtype not in server.SOURCES or server.read(rtype, rid) is None:
                raise entry.fail(
                    400, "not-found", f".resource{where}", f"{ref} is not a resource kept here"
                )
            if rtype == "Patient":
                from oncocenter.patients.models import Patient

                ctx.patients[ref] = Patient.objects.get(mrn=rid)
            elif rtype == "Condition":
                ctx.conditions[ref] = Diagnosis.objects.get(
                    pk=server.SOURCES["Condition"][0].pk_of(rid) or 0
                )
        allowed = REFERENCE_TARGETS.get(field)
        target = _target_type(ref, entries_by_url)
        if allowed and target not in allowed:
            raise entry.fail(
                400,
                "invalid",
                f".resource{where}",
                f"{ref} is a {target or 'reference of no known type'}; "
                f"{entry.rtype}.{field} must reference a {' or '.join(allowed)}",
            )


def _conditional(entry: Entry) -> tuple[Any, str] | None:
    """The one resource kept here matching `ifNoneExist` (its row and id), None when none does."""
    try:
        params = parse_qsl(entry.if_none_exist, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise entry.fail(
            400, "invalid", ".request.ifNoneExist", f"{entry.if_none_exist!r} is not a query"
        ) from None
    try:
        page = server.search(entry.rtype, params, count=2, offset=0, includes=[])
    except ParamError as exc:
        raise entry.fail(400, "invalid", ".request.ifNoneExist", str(exc)) from None
    if page.total > 1:
        raise entry.fail(
            412,
            "multiple-matches",
            ".request.ifNoneExist",
            f"{entry.if_none_exist!r} matches {page.total} {entry.rtype} resources here; "
            "a conditional create needs at most one",
        )
    if page.total == 0:
        return None
    source, res, patient = page.resources[0]
    if entry.rtype == "Patient":
        return patient, f"Patient/{res['id']}"
    pk = source.pk_of(res["id"])
    model = source.queryset().model
    return model.objects.get(pk=pk), f"{entry.rtype}/{res['id']}"


def _write(entry: Entry, ctx: ImportContext, members: set[str]) -> None:
    """Create (or find, for a conditional create) one entry; EntryError when refused."""
    if not has_perm(ctx.by, write_permission(entry.resource)):
        raise entry.fail(
            403,
            "forbidden",
            "",
            f"your roles do not include the permission {write_permission(entry.resource)!r}",
        )
    key = entry.full_url or f"{entry.rtype}/{entry.resource.get('id', '')}"
    if set(importer._profiles(entry.resource)) & TNM_MEMBER_PROFILES:
        # A T, N or M category is written with its stage group (processed before it).
        if entry.full_url not in members:
            raise entry.fail(
                422,
                "processing",
                ".resource",
                "a T, N or M category is written as a hasMember of its TNM stage group entry",
            )
        entry.status, entry.location = "201 Created", ctx.local_ids[entry.full_url]
        return
    found = _conditional(entry) if entry.if_none_exist else None
    if found is not None:
        row, location = found
        if entry.rtype == "Patient":
            ctx.patients[key] = row
        elif entry.rtype == "Condition":
            ctx.conditions[key] = row
        entry.status, entry.location = "200 OK", location
        return
    try:
        with transaction.atomic():
            if entry.rtype == "Patient":
                p = importer.import_patient(entry.resource, ctx)
                ctx.patients[key] = p
                entry.location = f"Patient/{p.mrn}"
            elif entry.rtype == "Condition":
                d = importer.import_condition(entry.resource, ctx)
                ctx.conditions[key] = d
                entry.location = f"Condition/{importer.R.condition_id(d)}"
            else:
                row = importer.import_observation(entry.resource, ctx)
                entry.location = importer._observation_local_id(row)
                if type(row).__name__ == "TnmStaging":
                    _member_axes(entry, ctx)
    except Refused as exc:
        raise entry.fail(422, "processing", ".resource", str(exc)) from None
    except ValidationFailed as exc:
        problems = "; ".join(f"{p.field}: {p.message}" for p in exc.problems) or str(exc)
        raise entry.fail(422, "invariant", ".resource", problems) from None
    except DomainError as exc:
        raise entry.fail(exc.status, "processing", ".resource", str(exc)) from None
    entry.status = "201 Created"


def _member_axes(entry: Entry, ctx: ImportContext) -> None:
    """Point each hasMember fullUrl at the id of the T, N or M Observation it became."""
    suffix = {"T": "-t", "N": "-n", "M": "-m"}
    for m in entry.resource.get("hasMember", []):
        ref = m.get("reference", "")
        member = ctx.examples.get(ref, {})
        for axis, profile in importer.R.AXES.items():
            if profile in importer._profiles(member):
                ctx.local_ids[ref] = f"{entry.location}{suffix[axis]}"


def _order(entry: Entry) -> int:
    if (
        entry.rtype == "Observation"
        and set(importer._profiles(entry.resource)) & TNM_MEMBER_PROFILES
    ):
        return 3
    return importer.ORDER.get(entry.rtype, 9)


def _response_entry(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"response": {"status": entry.status, "location": entry.location}}
    rtype, _, rid = entry.location.partition("/")
    found = server.read(rtype, rid)
    if found is not None:
        meta = found[1]["meta"]
        out["response"]["location"] = f"{entry.location}/_history/{meta['versionId']}"
        out["response"]["etag"] = f'W/"{meta["versionId"]}"'
        if "lastUpdated" in meta:
            out["response"]["lastModified"] = meta["lastUpdated"]
    if entry.full_url:
        out["fullUrl"] = entry.full_url
    return out


def _error_outcome(err: EntryError) -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": err.code,
                "diagnostics": str(err),
                "expression": [err.expression],
            }
        ],
    }


def bundle_process(*, by: User, bundle: Any) -> tuple[int, dict[str, Any]]:
    """Process a transaction or batch Bundle for `by`; returns the HTTP status and the body
    (the transaction-response / batch-response Bundle, or an OperationOutcome)."""
    kind, parsed = _parse(bundle)
    entries = [e for e in parsed if isinstance(e, Entry)]
    by_url = {e.full_url: e for e in entries if e.full_url}
    ctx = ImportContext(by=by, reuse_known=False)
    for e in entries:
        ctx.examples[e.full_url or f"{e.rtype}/{e.resource.get('id', '')}"] = e.resource
    if kind == "transaction":
        return _transaction(by, parsed, entries, by_url, ctx)
    return _batch(by, parsed, by_url, ctx)


def _members_of(entries: list[Entry]) -> set[str]:
    return {
        m.get("reference", "")
        for e in entries
        if "mcode-tnm-stage-group" in importer._profiles(e.resource)
        for m in e.resource.get("hasMember", [])
    }


def _transaction(
    by: User,
    parsed: list[Entry | EntryError],
    entries: list[Entry],
    by_url: dict[str, Entry],
    ctx: ImportContext,
) -> tuple[int, dict[str, Any]]:
    first_error = next((e for e in parsed if isinstance(e, EntryError)), None)
    try:
        if first_error is not None:
            raise first_error
        conditionals: dict[tuple[str, str], int] = {}
        for e in entries:
            if e.if_none_exist:
                k = (e.rtype, e.if_none_exist)
                if k in conditionals:
                    raise e.fail(
                        400,
                        "duplicate",
                        ".request.ifNoneExist",
                        f"repeats the conditional create of entry {conditionals[k]}",
                    )
                conditionals[k] = e.index
        with transaction.atomic():
            for e in entries:
                _check_references(e, by_url, ctx, batch=False)
            members = _members_of(entries)
            for e in sorted(entries, key=_order):
                _write(e, ctx, members)
            created = sum(e.status.startswith("201") for e in entries)
            audit_record(
                action=AuditAction.CREATE,
                object_type="fhir.Bundle",
                detail={
                    "type": "transaction",
                    "entries": len(entries),
                    "created": created,
                    "matched": len(entries) - created,
                    "locations": [e.location for e in entries][:100],
                },
            )
            body = {
                "resourceType": "Bundle",
                "type": "transaction-response",
                "entry": [_response_entry(e) for e in entries],
            }
    except EntryError as err:
        audit_record(
            action=AuditAction.CREATE,
            object_type="fhir.Bundle",
            detail={"type": "transaction", "entries": len(parsed), "refused": str(err)[:300]},
        )
        return err.status, _error_outcome(err)
    return 200, body


def _batch(
    by: User, parsed: list[Entry | EntryError], by_url: dict[str, Entry], ctx: ImportContext
) -> tuple[int, dict[str, Any]]:
    out: list[dict[str, Any]] = []
    entries = [e for e in parsed if isinstance(e, Entry)]
    members = _members_of(entries)
    for item in parsed:
        if isinstance(item, EntryError):
            err = item
        else:
            try:
                with transaction.atomic():
                    _check_references(item, by_url, ctx, batch=True)
                    _write(item, ctx, members)
                out.append(_response_entry(item))
                continue
            except EntryError as exc:
                err = exc
        out.append({"response": {"status": str(err.status), "outcome": _error_outcome(err)}})
    audit_record(
        action=AuditAction.CREATE,
        object_type="fhir.Bundle",
        detail={
            "type": "batch",
            "entries": len(parsed),
            "statuses": [e["response"]["status"] for e in out][:100],
        },
    )
    return 200, {"resourceType": "Bundle", "type": "batch-response", "entry": out}
