"""API for the record completion (issue 3): guardians, consents, care team, co-payment.

Mounted on the patients router (one line at the bottom of ``patients/api.py``)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Schema, Status

from oncocenter.core.errors import ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.models_record import Guardian
from oncocenter.patients.selectors import patient_get
from oncocenter.patients.selectors_record import copay_expiring
from oncocenter.patients.services_record import (
    care_team_add,
    consent_record,
    copay_register,
    guardian_add,
)

router = Router(tags=["patient record"])


class GuardianIn(Schema):
    name_ko: str
    relationship: str
    phone: str = ""
    is_legal_representative: bool = True
    birth_date: date | None = None


class GuardianOut(GuardianIn):
    id: int


class ConsentIn(Schema):
    kind: str
    given_by: str
    signed_on: date
    guardian_id: int | None = None
    scope: str = ""


class ConsentOut(ConsentIn):
    id: int


class CareTeamIn(Schema):
    username: str
    role: str
    center: str = ""
    is_lead: bool = False


class CareTeamOut(Schema):
    id: int
    username: str
    role: str
    is_lead: bool
    since: date


class CopayIn(Schema):
    registered_on: date
    registration_number: str = ""
    diagnosis_id: int | None = None
    special_code: str = "V193"


class CopayOut(Schema):
    id: int
    mrn: str
    special_code: str
    registered_on: date
    expires_on: date


@router.get("/copay/expiring", response=list[CopayOut])
def copay_reminders(request: HttpRequest, days: int = 60):
    """Registrations whose 5-year coverage ends within `days` (default 60)."""
    require(request.user, "copay.manage")
    if not 1 <= days <= 366:
        raise ValidationFailed.single("days", "must be between 1 and 366", days)
    return [
        {
            "id": r.pk,
            "mrn": r.patient.mrn,
            "special_code": r.special_code,
            "registered_on": r.registered_on,
            "expires_on": r.expires_on,
        }
        for r in copay_expiring(days=days)
    ]


@router.post("/{mrn}/guardians", response={201: GuardianOut})
def guardian_create(request: HttpRequest, mrn: str, payload: GuardianIn):
    require(request.user, "record.edit")
    return Status(201, guardian_add(patient=patient_get(mrn=mrn, audit=False), **payload.dict()))


@router.post("/{mrn}/consents", response={201: ConsentOut})
def consent_create(request: HttpRequest, mrn: str, payload: ConsentIn):
    require(request.user, "consent.record")
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    guardian_id = data.pop("guardian_id")
    guardian = None
    if guardian_id is not None:
        guardian = Guardian.objects.filter(pk=guardian_id, patient=patient).first()
        if guardian is None:
            raise ValidationFailed.single(
                "guardian_id", "is not a guardian of this patient", guardian_id
            )
    consent = consent_record(patient=patient, guardian=guardian, recorded_by=request.user, **data)
    return Status(201, {**data, "id": consent.pk, "guardian_id": consent.guardian_id})


@router.post("/{mrn}/care-team", response={201: CareTeamOut})
def care_team_create(request: HttpRequest, mrn: str, payload: CareTeamIn):
    require(request.user, "record.edit")
    patient = patient_get(mrn=mrn, audit=False)
    user = get_user_model().objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise ValidationFailed.single("username", "is not an active staff member", payload.username)
    m = care_team_add(
        patient=patient,
        user=user,
        role=payload.role,
        center_code=payload.center,
        is_lead=payload.is_lead,
    )
    return Status(
        201,
        {
            "id": m.pk,
            "username": user.username,
            "role": m.role,
            "is_lead": m.is_lead,
            "since": m.since,
        },
    )


@router.post("/{mrn}/copay", response={201: CopayOut})
def copay_create(request: HttpRequest, mrn: str, payload: CopayIn):
    require(request.user, "copay.manage")
    patient = patient_get(mrn=mrn, audit=False)
    diagnosis = None
    if payload.diagnosis_id is not None:
        diagnosis = Diagnosis.objects.filter(pk=payload.diagnosis_id, patient=patient).first()
        if diagnosis is None:
            raise ValidationFailed.single(
                "diagnosis_id", "is not a diagnosis of this patient", payload.diagnosis_id
            )
    r = copay_register(
        patient=patient,
        registered_on=payload.registered_on,
        diagnosis=diagnosis,
        registration_number=payload.registration_number,
        special_code=payload.special_code,
        recorded_by=request.user,
    )
    return Status(
        201,
        {
            "id": r.pk,
            "mrn": patient.mrn,
            "special_code": r.special_code,
            "registered_on": r.registered_on,
            "expires_on": r.expires_on,
        },
    )
