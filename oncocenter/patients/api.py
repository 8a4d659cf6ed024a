from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import FieldProblem, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.patients.models import CenterCode, Patient
from oncocenter.patients.schemas import (
    PatientCenterIn,
    PatientCenterMembershipOut,
    PatientContactOut,
    PatientIn,
    PatientOut,
    PatientPatch,
    PatientRrnIn,
    PatientRrnOut,
)
from oncocenter.patients.selectors import patient_get, patient_search
from oncocenter.patients.services import (
    patient_create,
    patient_join_center,
    patient_update,
    patient_verify_rrn,
)

router = Router(tags=["patients"])


class PatientSearchParams(Schema):
    q: str = ""
    center: str | None = None
    limit: int = 50


def _out(patient: Patient, *, contacts: bool) -> dict:
    data = {
        "mrn": patient.mrn,
        "name_ko": patient.name_ko,
        "family_name_en": patient.family_name_en,
        "given_name_en": patient.given_name_en,
        "birth_date": patient.birth_date,
        "sex": patient.sex,
        "rrn_masked": patient.rrn_masked,
        "centers": [
            {"center": m.center.code, "since": m.since, "active": m.active}
            for m in patient.center_memberships.all()
        ],
    }
    if contacts:
        data.update(
            phone=patient.phone,
            email=patient.email,
            address=patient.address,
            postal_code=patient.postal_code,
        )
    return data


@router.get("/", response=list[PatientOut])
@permission("patient.search")
def search(request: HttpRequest, params: Query[PatientSearchParams]):
    """Search by MRN prefix, Hangul name (partial) or Latin name (partial)."""
    if params.center and params.center not in CenterCode.values:
        raise ValidationFailed.single(
            "center",
            _("must be one of %(choices)s") % {"choices": ", ".join(CenterCode.values)},
            params.center,
        )
    if not 1 <= params.limit <= 200:
        raise ValidationFailed.single(
            "limit",
            _("must be between %(low)s and %(high)s") % {"low": 1, "high": 200},
            params.limit,
        )
    return [
        _out(p, contacts=False)
        for p in patient_search(query=params.q, center_code=params.center, limit=params.limit)
    ]


@router.post("/", response={201: PatientContactOut})
@permission("patient.create")
def create(request: HttpRequest, payload: PatientIn):
    unknown = [c for c in payload.centers if c not in CenterCode.values]
    if unknown:
        raise ValidationFailed.single(
            "centers",
            _("unknown center code(s); use %(choices)s")
            % {"choices": ", ".join(CenterCode.values)},
            unknown,
        )
    by = current_user(request)
    with transaction.atomic():
        patient = patient_create(by=by, **payload.dict(exclude={"rrn", "centers"}), rrn=payload.rrn)
        for code in payload.centers:
            patient_join_center(
                patient=patient, by=by, center_code=code, since=timezone.localdate()
            )
    patient = patient_get(mrn=patient.mrn, audit=False)
    return Status(201, _out(patient, contacts=True))


@router.get("/{mrn}", response=PatientContactOut | PatientOut)
@permission("patient.view")
def read(request: HttpRequest, mrn: str):
    patient = patient_get(mrn=mrn)
    return _out(patient, contacts=has_perm(request.user, "patient.view_contacts"))


CLEARABLE = frozenset({"phone", "email", "address", "postal_code"})


@router.patch("/{mrn}", response=PatientContactOut)
@permission("patient.edit")
def update(request: HttpRequest, mrn: str, payload: PatientPatch):
    patient = patient_get(mrn=mrn, audit=False)
    changes = payload.dict(exclude_unset=True, exclude={"rrn"})
    # null clears a contact field; the name, birth date and sex cannot be cleared (a 422 naming
    # the field, never a database error).
    required = sorted(k for k, v in changes.items() if v is None and k not in CLEARABLE)
    if required:
        raise ValidationFailed(
            [FieldProblem(k, _("may not be null (it cannot be cleared)"), "null") for k in required]
        )
    patient_update(
        patient=patient,
        by=current_user(request),
        **{k: "" if v is None else v for k, v in changes.items()},
        rrn=payload.rrn or None,
    )
    return _out(patient_get(mrn=mrn, audit=False), contacts=True)


@router.post("/{mrn}/verify-rrn", response=PatientRrnOut)
@permission("patient.verify_rrn")
def verify_rrn(request: HttpRequest, mrn: str, payload: PatientRrnIn):
    """Check a presented resident registration number against the stored one."""
    patient = patient_get(mrn=mrn, audit=False)
    return {"matches": patient_verify_rrn(patient=patient, rrn=payload.rrn)}


@router.post("/{mrn}/centers", response={201: PatientCenterMembershipOut})
@permission("patient.edit")
def join_center(request: HttpRequest, mrn: str, payload: PatientCenterIn):
    patient = patient_get(mrn=mrn, audit=False)
    membership = patient_join_center(
        patient=patient, by=current_user(request), center_code=payload.center, since=payload.since
    )
    return Status(
        201,
        {"center": membership.center.code, "since": membership.since, "active": membership.active},
    )


# Issue 3 (record completion): guardians, consents, care team, co-payment registration.
from oncocenter.patients.api_record import router as record_router  # noqa: E402

router.add_router("", record_router)
