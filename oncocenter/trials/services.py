"""Writes for trials: studies, pre-screening log, enrollment (with recorded override), withdrawal."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.oncology.models import Modality
from oncocenter.patients.checks import check_date
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


def _list(value: str | Sequence[str] | None) -> list[str]:
    if value is None or value == "":
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [str(v).strip() for v in items if str(v).strip()]


def _one_of(values: Sequence[str]) -> str:
    return _("must be one of %(choices)s") % {"choices": ", ".join(values)}


def study_create(
    *,
    by: User,
    code: str,
    title: str,
    phase: str,
    status: str = StudyStatus.RECRUITING,
    target_diseases: str = "",
    principal_investigator: User | None = None,
    min_age_years: int | str | None = None,
    max_age_years: int | str | None = None,
    max_ecog: int | str | None = None,
    performance_max_age_days: int | str | None = None,
    diagnosis_code_prefixes: str | Sequence[str] = (),
    stage_groups: str | Sequence[str] = (),
    excluded_prior_therapies: str | Sequence[str] = (),
    arms: str | Sequence[str] = (),
) -> Study:
    """Register a study with structured eligibility. Every problem is reported at once. The list
    arguments take a sequence or one comma-separated string (as typed in the form)."""
    problems: list[FieldProblem] = []
    code = code.strip()
    title = title.strip()
    if not code:
        problems.append(FieldProblem("code", _("is required")))
    elif Study.objects.filter(code=code).exists():
        problems.append(FieldProblem("code", _("is already used by another study"), code))
    if not title:
        problems.append(FieldProblem("title", _("is required")))
    if phase not in Phase.values:
        problems.append(FieldProblem("phase", _one_of(Phase.values), phase))
    status = status or StudyStatus.RECRUITING
    if status not in StudyStatus.values:
        problems.append(FieldProblem("status", _one_of(StudyStatus.values), status))
    numbers: dict[str, int | None] = {}
    for name, value in (
        ("min_age_years", min_age_years),
        ("max_age_years", max_age_years),
        ("max_ecog", max_ecog),
        ("performance_max_age_days", performance_max_age_days),
    ):
        if value is None or value == "":
            numbers[name] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            problems.append(FieldProblem(name, _("must be a whole number"), value))
            numbers[name] = None
            continue
        numbers[name] = number
        if number < 0:
            problems.append(FieldProblem(name, _("cannot be negative"), value))
    low, high, ecog = numbers["min_age_years"], numbers["max_age_years"], numbers["max_ecog"]
    if low is not None and high is not None and high < low:
        problems.append(FieldProblem("max_age_years", _("must not be below the minimum age"), high))
    if ecog is not None and ecog > 5:
        problems.append(FieldProblem("max_ecog", _("ECOG goes from 0 to 5"), ecog))
    prefixes = [p.upper() for p in _list(diagnosis_code_prefixes)]
    problems += [
        FieldProblem("diagnosis_code_prefixes", _("is not an ICD-10 code prefix"), p)
        for p in prefixes
        if not PREFIX_RE.match(p)
    ]
    stages = [s.upper() if s.lower() != "occult" else "Occult" for s in _list(stage_groups)]
    problems += [
        FieldProblem("stage_groups", _("is not an AJCC stage group"), s)
        for s in stages
        if not STAGE_RE.match(s)
    ]
    therapies = [t.lower() for t in _list(excluded_prior_therapies)]
    problems += [
        FieldProblem(
            "excluded_prior_therapies",
            _("must be among %(choices)s") % {"choices": ", ".join(Modality.values)},
            t,
        )
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
        target_diseases=target_diseases.strip(),
        principal_investigator=principal_investigator,
        diagnosis_code_prefixes=prefixes,
        stage_groups=stages,
        excluded_prior_therapies=therapies,
        arms=_list(arms),
        min_age_years=numbers["min_age_years"],
        max_age_years=numbers["max_age_years"],
        max_ecog=numbers["max_ecog"],
        performance_max_age_days=numbers["performance_max_age_days"],
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
    by: User,
    outcome: str = ScreeningOutcome.PRE_SCREENED,
    note: str = "",
) -> ScreeningEntry:
    """Add the patient to the study's screening log with today's per-criterion verdicts."""
    if outcome not in ScreeningOutcome.values:
        raise ValidationFailed.single("outcome", _one_of(ScreeningOutcome.values), outcome)
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
    by: User,
    consent_on: dt.date | str,
    arm: str = "",
    override_reason: str = "",
) -> Enrollment:
    """Enroll a patient. If the pre-screening does not find the patient eligible, the enrollment
    needs an override reason, which is stored with the verdicts of that moment."""
    problems: list[FieldProblem] = []
    consent = check_date(problems, "consent_on", consent_on, patient)
    if study.arms and arm not in study.arms:
        problems.append(FieldProblem("arm", _one_of(study.arms), arm))
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
                _("is required: the patient is not confirmed eligible: %(failing)s")
                % {"failing": "; ".join(failing)},
            )
        )
    if problems:
        raise ValidationFailed(problems)
    assert consent is not None
    if study.status != StudyStatus.RECRUITING:
        raise Conflict(
            _("Study %(code)s is %(status)s, not recruiting.")
            % {"code": study.code, "status": StudyStatus(study.status).label},
            rule="study_not_recruiting",
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
            _("The patient is already on study %(code)s.") % {"code": study.code},
            rule="already_enrolled",
        ) from None
    return enrollment


def enrollment_withdraw(
    *, enrollment: Enrollment, by: User, withdrawn_on: dt.date | str, reason: str
) -> Enrollment:
    """Take a patient off study (a date not before enrollment, and the reason)."""
    problems: list[FieldProblem] = []
    when = check_date(problems, "withdrawn_on", withdrawn_on, enrollment.patient)
    if when is not None and when < enrollment.enrolled_on:
        problems.append(
            FieldProblem("withdrawn_on", _("cannot be before enrollment"), when.isoformat())
        )
    if not reason.strip():
        problems.append(FieldProblem("reason", _("is required")))
    if problems:
        raise ValidationFailed(problems)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise Conflict(_("The patient has already been withdrawn."), rule="already_withdrawn")
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_on = when
    enrollment.withdrawal_reason = reason.strip()
    with transaction.atomic():
        enrollment.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=enrollment,
            patient=enrollment.patient,
            detail={"withdrawn": True, "by": by.username},
        )
    return enrollment
