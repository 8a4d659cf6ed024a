"""API for the record completion (issue 3): guardians, consents, care team.

Mounted on the patients router (one line at the bottom of ``patients/api.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from oncocenter.accounts.models import User
from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import ValidationFailed
from oncocenter.core.schemas import InputSchema
from oncocenter.patients.models_record import Guardian
from oncocenter.patients.selectors import patient_get
from oncocenter.patients.services_record import care_team_add, consent_record, guardian_add

router = Router(tags=["patient record"])


class PatientGuardianIn(InputSchema):
    name_ko: str
    relationship: str
    phone: str = ""
    is_legal_representative: bool = True
    birth_date: date | None = None


class PatientGuardianOut(PatientGuardianIn):
    id: int


class PatientConsentIn(InputSchema):
    kind: str
    given_by: str
    signed_on: date
    guardian_id: int | None = None
    scope: str = ""


class PatientConsentOut(PatientConsentIn):
    id: int


class PatientCareTeamIn(InputSchema):
    username: str
    role: str
    center: str = ""
    is_lead: bool = False


class PatientCareTeamOut(Schema):
    id: int
    username: str
    role: str
    is_lead: bool
    since: date


@router.post("/{mrn}/guardians", response={201: PatientGuardianOut})
@permission("record.edit")
def guardian_create(request: HttpRequest, mrn: str, payload: PatientGuardianIn) -> Any:
    guardian = guardian_add(
        patient=patient_get(mrn=mrn, audit=False), by=current_user(request), **payload.dict()
    )
    return Status(201, guardian)


@router.post("/{mrn}/consents", response={201: PatientConsentOut})
@permission("consent.record")
def consent_create(request: HttpRequest, mrn: str, payload: PatientConsentIn) -> Any:
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    guardian_id = data.pop("guardian_id")
    guardian = None
    if guardian_id is not None:
        guardian = Guardian.objects.filter(pk=guardian_id, patient=patient).first()
        if guardian is None:
            raise ValidationFailed.single(
                "guardian_id", _("is not a guardian of this patient"), guardian_id
            )
    consent = consent_record(patient=patient, by=current_user(request), guardian=guardian, **data)
    return Status(201, {**data, "id": consent.pk, "guardian_id": consent.guardian_id})


@router.post("/{mrn}/care-team", response={201: PatientCareTeamOut})
@permission("record.edit")
def care_team_create(request: HttpRequest, mrn: str, payload: PatientCareTeamIn) -> Any:
    patient = patient_get(mrn=mrn, audit=False)
    user = User.objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise ValidationFailed.single(
            "username", _("is not an active staff member"), payload.username
        )
    m = care_team_add(
        patient=patient,
        by=current_user(request),
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
