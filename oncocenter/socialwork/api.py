"""JSON API of social work (mounted at /api/support/, its address before the split of the
support app). Thin: check the permission, parse, call one service."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.models import User
from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import ValidationFailed
from oncocenter.patients.selectors import patient_get
from oncocenter.pediatrics.lookups import row
from oncocenter.pediatrics.schemas import PediatricIdOut
from oncocenter.socialwork import selectors, services
from oncocenter.socialwork.models import SocialCase, SocialIntervention
from oncocenter.socialwork.schemas import (
    SocialCaseCloseIn,
    SocialCaseIn,
    SocialCaseloadOut,
    SocialInterventionIn,
    SocialNeedsAssessmentIn,
    SocialOutcomeIn,
)

router = Router(tags=["socialwork"])


@router.get("/social/caseload", response=list[SocialCaseloadOut])
@permission("socialwork.view")
def social_caseload(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "social_worker_id": r["social_worker_id"],
            "username": r["social_worker__username"],
            "open_cases": r["open_cases"],
        }
        for r in selectors.caseload()
    ]


@router.post("/patients/{mrn}/social-cases", response={201: PediatricIdOut})
@permission("socialwork.edit")
def social_case_open(request: HttpRequest, mrn: str, payload: SocialCaseIn) -> Status:
    user = current_user(request)
    worker = (
        User.objects.filter(pk=payload.social_worker_id).first()
        if payload.social_worker_id
        else user
    )
    if worker is None:
        raise ValidationFailed.single(
            "social_worker_id", _("no such user"), payload.social_worker_id
        )
    case = services.social_case_open(
        patient=patient_get(mrn=mrn, audit=False),
        by=user,
        social_worker=worker,
        opened_on=payload.opened_on,
    )
    return Status(201, {"id": case.pk})


@router.post("/social/cases/{case_id}/close", response=PediatricIdOut)
@permission("socialwork.edit")
def social_case_close(
    request: HttpRequest, case_id: int, payload: SocialCaseCloseIn
) -> dict[str, Any]:
    case = services.social_case_close(
        case=row(SocialCase, case_id), by=current_user(request), closed_on=payload.closed_on
    )
    return {"id": case.pk}


@router.post("/social/cases/{case_id}/assessments", response={201: PediatricIdOut})
@permission("socialwork.edit")
def social_assessment(
    request: HttpRequest, case_id: int, payload: SocialNeedsAssessmentIn
) -> Status:
    assessment = services.needs_assessment_record(
        case=row(SocialCase, case_id), by=current_user(request), **payload.dict()
    )
    return Status(201, {"id": assessment.pk})


@router.post("/social/cases/{case_id}/interventions", response={201: PediatricIdOut})
@permission("socialwork.edit")
def social_intervention(
    request: HttpRequest, case_id: int, payload: SocialInterventionIn
) -> Status:
    intervention = services.intervention_add(
        case=row(SocialCase, case_id), by=current_user(request), **payload.dict()
    )
    return Status(201, {"id": intervention.pk})


@router.post("/social/interventions/{intervention_id}/outcome", response=PediatricIdOut)
@permission("socialwork.edit")
def social_outcome(
    request: HttpRequest, intervention_id: int, payload: SocialOutcomeIn
) -> dict[str, Any]:
    intervention = services.intervention_record_outcome(
        intervention=row(SocialIntervention, intervention_id),
        by=current_user(request),
        **payload.dict(),
    )
    return {"id": intervention.pk}
