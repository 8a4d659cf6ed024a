"""Trials API: studies, pre-screening with per-criterion verdicts, screening log, enrollment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound
from oncocenter.patients.selectors import patient_get
from oncocenter.trials import selectors, services
from oncocenter.trials.models import Enrollment, Study
from oncocenter.trials.schemas import (
    TrialCandidateOut,
    TrialEnrollmentIn,
    TrialEnrollmentOut,
    TrialScreeningIn,
    TrialScreeningOut,
    TrialStudyIn,
    TrialStudyOut,
    TrialWithdrawIn,
)

router = Router(tags=["trials"])


def get_study(pk: int) -> Study:
    study = Study.objects.filter(pk=pk).first()
    if study is None:
        raise NotFound(_("No study %(id)s.") % {"id": pk})
    return study


def enrollment_out(e: Enrollment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "mrn": e.patient.mrn,
        "study": e.study.code,
        "consent_on": e.consent_on,
        "enrolled_on": e.enrolled_on,
        "arm": e.arm,
        "status": e.status,
        "eligibility_overall": e.eligibility_overall,
        "override_reason": e.override_reason,
        "withdrawn_on": e.withdrawn_on,
        "withdrawal_reason": e.withdrawal_reason,
    }


@router.get("/studies", response=list[TrialStudyOut])
@permission("trial.view")
def study_list(request: HttpRequest) -> Any:
    return list(Study.objects.all())


@router.post("/studies", response={201: TrialStudyOut})
@permission("trial.manage")
def study_create(request: HttpRequest, payload: TrialStudyIn) -> Any:
    return Status(201, services.study_create(by=current_user(request), **payload.dict()))


@router.get("/studies/{pk}/prescreen", response=list[TrialCandidateOut])
@permission("trial.screen")
def prescreen(request: HttpRequest, pk: int) -> Any:
    """Matching patients, each criterion met / unmet / unknown with the data used."""
    study = get_study(pk)
    selectors.study_audit_read(study)
    return [
        {
            "mrn": c.patient.mrn,
            "name_ko": c.patient.name_ko,
            "overall": c.evaluation.overall,
            "verdicts": c.evaluation.verdicts,
        }
        for c in selectors.prescreen(study=study, as_of=timezone.localdate())
    ]


@router.get("/studies/{pk}/screening-log", response=list[TrialScreeningOut])
@permission("trial.screen")
def screening_log(request: HttpRequest, pk: int) -> Any:
    study = get_study(pk)
    selectors.study_audit_read(study)
    return [
        {
            "id": s.pk,
            "mrn": s.patient.mrn,
            "screened_on": s.screened_on,
            "overall": s.overall,
            "outcome": s.outcome,
            "verdicts": s.verdicts,
        }
        for s in study.screening_log.select_related("patient")
    ]


@router.post("/studies/{pk}/screening-log", response={201: TrialScreeningOut})
@permission("trial.screen")
def screening_add(request: HttpRequest, pk: int, payload: TrialScreeningIn) -> Any:
    study = get_study(pk)
    patient = patient_get(mrn=payload.mrn, audit=False)
    s = services.screening_log_add(
        study=study,
        patient=patient,
        by=current_user(request),
        outcome=payload.outcome,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": s.pk,
            "mrn": patient.mrn,
            "screened_on": s.screened_on,
            "overall": s.overall,
            "outcome": s.outcome,
            "verdicts": s.verdicts,
        },
    )


@router.post("/studies/{pk}/enrollments", response={201: TrialEnrollmentOut})
@permission("trial.enroll")
def enroll(request: HttpRequest, pk: int, payload: TrialEnrollmentIn) -> Any:
    study = get_study(pk)
    patient = patient_get(mrn=payload.mrn, audit=False)
    e = services.enrollment_create(
        study=study,
        patient=patient,
        consent_on=payload.consent_on,
        arm=payload.arm,
        override_reason=payload.override_reason,
        by=current_user(request),
    )
    return Status(201, enrollment_out(e))


@router.post("/enrollments/{pk}/withdraw", response=TrialEnrollmentOut)
@permission("trial.enroll")
def withdraw(request: HttpRequest, pk: int, payload: TrialWithdrawIn) -> Any:
    e = Enrollment.objects.select_related("patient", "study").filter(pk=pk).first()
    if e is None:
        raise NotFound(_("No enrollment %(id)s.") % {"id": pk})
    return enrollment_out(
        services.enrollment_withdraw(
            enrollment=e,
            by=current_user(request),
            withdrawn_on=payload.withdrawn_on,
            reason=payload.reason,
        )
    )
