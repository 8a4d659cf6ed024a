"""Writes for trials: studies, pre-screening log, enrollment (with recorded override), withdrawal."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.oncology.models import Modality
from oncocenter.oncology.services import check_date
from oncocenter.patients.models import Patient
from oncocenter.trials import eligibility as el
from oncocenter.trials.models import (
    Enrollment,
    EnrollmentStatus,
    Phase,
    ScreeningEntry,
    ScreeningOutcome,
    Study,
    StudyStatus,
)
from oncocenter.trials.selectors import evaluate_patient

PREFIX_RE = re.compile(r"^[A-Z]\d{0,2}(\.\d{0,2})?$")
STAGE_RE = re.compile(r"^(0|I{1,3}|IV)([A-C]\d?)?$|^Occult$")


def _list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def study_create(*, data: dict[str, Any], by: Any = None) -> Study:
    """Register a study with structured eligibility. Every problem is reported at once."""
    problems: list[FieldProblem] = []
    code = str(data.get("code", "")).strip()
    title = str(data.get("title", "")).strip()
    if not code:
        problems.append(FieldProblem("code", "is required"))
    elif Study.objects.filter(code=code).exists():
        problems.append(FieldProblem("code", "is already used by another study", code))
    if not title:
        problems.append(FieldProblem("title", "is required"))
    phase = data.get("phase", "")
    if phase not in Phase.values:
        problems.append(FieldProblem("phase", f"must be one of {', '.join(Phase.values)}", phase))
    status = data.get("status") or StudyStatus.RECRUITING
    if status not in StudyStatus.values:
        problems.append(
            FieldProblem("status", f"must be one of {', '.join(StudyStatus.values)}", status)
        )
    ages: dict[str, int | None] = {}
    for name in ("min_age_years", "max_age_years", "max_ecog", "performance_max_age_days"):
        value = data.get(name)
        if value in (None, ""):
            ages[name] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            problems.append(FieldProblem(name, "must be a whole number", value))
            ages[name] = None
            continue
        ages[name] = number
        if number < 0:
            problems.append(FieldProblem(name, "cannot be negative", value))
    low, high, ecog = ages["min_age_years"], ages["max_age_years"], ages["max_ecog"]
    if low is not None and high is not None and high < low:
        problems.append(FieldProblem("max_age_years", "must not be below the minimum age", high))
    if ecog is not None and ecog > 5:
        problems.append(FieldProblem("max_ecog", "ECOG goes from 0 to 5", ages["max_ecog"]))
    prefixes = [p.upper() for p in _list(data.get("diagnosis_code_prefixes"))]
    problems += [
        FieldProblem("diagnosis_code_prefixes", "is not an ICD-10 code prefix", p)
        for p in prefixes
        if not PREFIX_RE.match(p)
    ]
    stages = [
        s.upper() if s.lower() != "occult" else "Occult" for s in _list(data.get("stage_groups"))
    ]
    problems += [
        FieldProblem("stage_groups", "is not an AJCC stage group", s)
        for s in stages
        if not STAGE_RE.match(s)
    ]
    therapies = [t.lower() for t in _list(data.get("excluded_prior_therapies"))]
    problems += [
        FieldProblem("excluded_prior_therapies", f"must be among {', '.join(Modality.values)}", t)
        for t in therapies
        if t not in Modality.values
    ]
    if problems:
        raise ValidationFailed(problems)
    study = Study(
        code=code,
        title=title,
        phase=phase,
        status=status,
        target_diseases=str(data.get("target_diseases", "")).strip(),
        principal_investigator=data.get("principal_investigator"),
        diagnosis_code_prefixes=prefixes,
        stage_groups=stages,
        excluded_prior_therapies=therapies,
        arms=_list(data.get("arms")),
        **ages,
    )
    with transaction.atomic():
        study.save()
        audit_record(action=AuditAction.CREATE, obj=study, detail={"code": code})
    return study


def _verdict_rows(evaluation: el.Evaluation) -> list[dict[str, str]]:
    return [
        {
            "criterion": v.criterion,
            "verdict": v.verdict,
            "requirement": v.requirement,
            "data_used": v.data_used,
        }
        for v in evaluation.verdicts
    ]


def screening_log_add(
    *,
    study: Study,
    patient: Patient,
    outcome: str = ScreeningOutcome.PRE_SCREENED,
    note: str = "",
    by: Any = None,
) -> ScreeningEntry:
    """Add the patient to the study's screening log with today's per-criterion verdicts."""
    if outcome not in ScreeningOutcome.values:
        raise ValidationFailed.single(
            "outcome", f"must be one of {', '.join(ScreeningOutcome.values)}", outcome
        )
    today = timezone.localdate()
    evaluation = evaluate_patient(study=study, patient=patient, as_of=today)
    entry = ScreeningEntry(
        study=study,
        patient=patient,
        screened_on=today,
        overall=evaluation.overall,
        verdicts=_verdict_rows(evaluation),
        outcome=outcome,
        note=note.strip(),
        screened_by=by,
    )
    with transaction.atomic():
        entry.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=entry,
            patient=patient,
            detail={"study": study.code, "overall": evaluation.overall, "outcome": outcome},
        )
    return entry


def enrollment_create(
    *,
    study: Study,
    patient: Patient,
    consent_on: dt.date | str,
    arm: str = "",
    override_reason: str = "",
    by: Any = None,
) -> Enrollment:
    """Enroll a patient. If the pre-screening does not find the patient eligible, the enrollment
    needs an override reason, which is stored with the verdicts of that moment."""
    problems: list[FieldProblem] = []
    consent = check_date(problems, "consent_on", consent_on, patient)
    if study.arms and arm not in study.arms:
        problems.append(FieldProblem("arm", f"must be one of {', '.join(study.arms)}", arm))
    today = timezone.localdate()
    evaluation = evaluate_patient(study=study, patient=patient, as_of=today)
    if evaluation.overall != el.ELIGIBLE and not override_reason.strip():
        failing = [
            f"{v.criterion} {v.verdict} ({v.data_used})"
            for v in evaluation.verdicts
            if v.verdict != el.MET
        ]
        problems.append(
            FieldProblem(
                "override_reason",
                "is required: the patient is not confirmed eligible: " + "; ".join(failing),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    assert consent is not None
    if study.status != StudyStatus.RECRUITING:
        raise Conflict(
            f"Study {study.code} is {study.status}, not recruiting.", rule="study_not_recruiting"
        )
    enrollment = Enrollment(
        study=study,
        patient=patient,
        consent_on=consent,
        enrolled_on=today,
        arm=arm,
        eligibility_overall=evaluation.overall,
        eligibility_verdicts=_verdict_rows(evaluation),
        override_reason=override_reason.strip(),
        enrolled_by=by,
    )
    try:
        with transaction.atomic():
            enrollment.save()
            ScreeningEntry.objects.create(
                study=study,
                patient=patient,
                screened_on=today,
                overall=evaluation.overall,
                verdicts=enrollment.eligibility_verdicts,
                outcome=ScreeningOutcome.ENROLLED,
                screened_by=by,
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=enrollment,
                patient=patient,
                detail={
                    "study": study.code,
                    "overall": evaluation.overall,
                    "override": bool(override_reason.strip()),
                },
            )
    except IntegrityError:
        raise Conflict(
            f"The patient is already on study {study.code}.", rule="already_enrolled"
        ) from None
    return enrollment


def enrollment_withdraw(
    *, enrollment: Enrollment, withdrawn_on: dt.date | str, reason: str, by: Any = None
) -> Enrollment:
    problems: list[FieldProblem] = []
    when = check_date(problems, "withdrawn_on", withdrawn_on, enrollment.patient)
    if when is not None and when < enrollment.enrolled_on:
        problems.append(
            FieldProblem("withdrawn_on", "cannot be before enrollment", when.isoformat())
        )
    if not reason.strip():
        problems.append(FieldProblem("reason", "is required"))
    if problems:
        raise ValidationFailed(problems)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise Conflict("The patient has already been withdrawn.", rule="already_withdrawn")
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_on = when
    enrollment.withdrawal_reason = reason.strip()
    with transaction.atomic():
        enrollment.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=enrollment,
            patient=enrollment.patient,
            detail={"withdrawn": True, "by": getattr(by, "username", "")},
        )
    return enrollment
