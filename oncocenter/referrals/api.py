"""Referral API: request a consult, move it along its status flow, worklists, turnaround."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.selectors import patient_get
from oncocenter.referrals import selectors, services
from oncocenter.referrals.models import Department, Referral
from oncocenter.referrals.schemas import (
    ReferralAdvanceIn,
    ReferralIn,
    ReferralOut,
    ReferralTurnaroundOut,
)

router = Router(tags=["referrals"])


def referral_out(r: Referral) -> dict[str, Any]:
    return {
        "id": r.pk,
        "patient_mrn": r.patient.mrn,
        "from_department": r.from_department,
        "to_department": r.to_department,
        "reason": r.reason,
        "urgency": r.urgency,
        "status": r.status,
        "requested_at": r.requested_at,
        "accepted_at": r.accepted_at,
        "scheduled_for": r.scheduled_for,
        "completed_at": r.completed_at,
        "decline_reason": r.decline_reason,
        "response_note": r.response_note,
    }


@router.post("/patients/{mrn}", response={201: ReferralOut})
@permission("referral.create")
def create(request: HttpRequest, mrn: str, payload: ReferralIn) -> Any:
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    diagnosis = None
    if data.get("diagnosis_id") is not None:
        diagnosis = Diagnosis.objects.filter(pk=data["diagnosis_id"], patient=patient).first()
        if diagnosis is None:
            raise ValidationFailed.single(
                "diagnosis_id", _("is not a diagnosis of this patient"), data["diagnosis_id"]
            )
    data.pop("diagnosis_id")
    referral = services.referral_create(
        patient=patient, by=current_user(request), diagnosis=diagnosis, **data
    )
    return Status(201, referral_out(referral))


@router.post("/{pk}/advance", response=ReferralOut)
@permission("referral.respond")
def advance(request: HttpRequest, pk: int, payload: ReferralAdvanceIn) -> Any:
    referral = Referral.objects.select_related("patient").filter(pk=pk).first()
    if referral is None:
        raise NotFound(_("No referral %(id)s.") % {"id": pk})
    return referral_out(
        services.referral_advance(referral=referral, by=current_user(request), **payload.dict())
    )


@router.get("/worklist/{department}", response=list[ReferralOut])
@permission("referral.view")
def worklist(request: HttpRequest, department: str, include_closed: bool = False) -> Any:
    if department not in Department.values:
        raise ValidationFailed.single("department", _("is not a known department"), department)
    return [
        referral_out(r)
        for r in selectors.worklist(department=department, include_closed=include_closed)
    ]


@router.get("/turnaround", response=list[ReferralTurnaroundOut])
@permission("referral.view")
def turnaround(request: HttpRequest) -> Any:
    return [{"department": d, **asdict(t)} for d, t in selectors.turnaround_by_department().items()]
