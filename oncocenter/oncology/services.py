"""Writes for the oncology record. Each service checks every rule first (collecting all the
problems), then writes inside one transaction and records an audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.oncology import codes, iccc, staging
from oncocenter.oncology.models import (
    ClinicalStatus,
    Diagnosis,
    DiseaseStatus,
    DiseaseStatusCode,
    Laterality,
    Modality,
    PerformanceScale,
    PerformanceStatus,
    StagingClassification,
    TnmStaging,
    TreatmentEpisode,
    TumorMarker,
    TumorMarkerCode,
    VerificationStatus,
    WorkupDepartment,
    WorkupOrder,
    WorkupStatus,
)
from oncocenter.patients.models import Patient

LANSKY_BELOW_AGE = 16


def check_date(
    problems: list[FieldProblem], field: str, value: Any, patient: Patient, *, required: bool = True
) -> dt.date | None:
    """A date that is neither in the future nor before the patient's birth; problems collected."""
    if value in (None, ""):
        if required:
            problems.append(FieldProblem(field, "is required"))
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            problems.append(FieldProblem(field, "must be a date written YYYY-MM-DD", value))
            return None
    if value > timezone.localdate():
        problems.append(FieldProblem(field, "cannot be in the future", value.isoformat()))
    elif value < patient.birth_date:
        problems.append(
            FieldProblem(
                field,
                f"cannot be before the patient's birth ({patient.birth_date:%Y-%m-%d})",
                value.isoformat(),
            )
        )
    return value


def _choice(problems: list[FieldProblem], field: str, value: str, choices: Any) -> str:
    if value not in choices.values:
        problems.append(FieldProblem(field, f"must be one of {', '.join(choices.values)}", value))
    return value


def _code(problems: list[FieldProblem], field: str, code_list: str, value: str) -> str:
    if not value:
        return ""
    try:
        return codes.lookup(code_list, value).code
    except codes.UnknownCodeError as exc:
        problems.append(FieldProblem(field, exc.reason, value))
        return value


def diagnosis_create(
    *,
    patient: Patient,
    icd10_code: str,
    diagnosed_on: dt.date | str,
    icdo3_topography: str = "",
    icdo3_morphology: str = "",
    laterality: str = Laterality.NOT_APPLICABLE,
    is_primary: bool = True,
    histology_text: str = "",
    clinical_status: str = ClinicalStatus.ACTIVE,
    verification_status: str = VerificationStatus.CONFIRMED,
    recorded_by: Any = None,
) -> Diagnosis:
    """Record a diagnosis; codes must be in the shipped lists. For a patient under 20 at diagnosis
    the ICCC-3 group is derived from the ICD-O-3 codes."""
    problems: list[FieldProblem] = []
    icd10 = _code(problems, "icd10_code", codes.ICD10, icd10_code)
    if not icd10_code:
        problems.append(FieldProblem("icd10_code", "is required"))
    topography = _code(problems, "icdo3_topography", codes.ICDO3_TOPOGRAPHY, icdo3_topography)
    morphology = _code(problems, "icdo3_morphology", codes.ICDO3_MORPHOLOGY, icdo3_morphology)
    if icd10.startswith("C") and is_primary and not icd10.startswith(("C77", "C78", "C79")):
        if not icdo3_topography:
            problems.append(FieldProblem("icdo3_topography", "is required for a primary cancer"))
        if not icdo3_morphology:
            problems.append(FieldProblem("icdo3_morphology", "is required for a primary cancer"))
    _choice(problems, "laterality", laterality, Laterality)
    _choice(problems, "clinical_status", clinical_status, ClinicalStatus)
    _choice(problems, "verification_status", verification_status, VerificationStatus)
    when = check_date(problems, "diagnosed_on", diagnosed_on, patient)
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    group = subgroup = None
    if topography and morphology and iccc.applies_to_age(patient.age_on(when)):
        derived = iccc.derive(morphology, topography)
        if derived is not None:
            group, subgroup = derived.group, derived.subgroup
    diagnosis = Diagnosis(
        patient=patient,
        icd10_code=icd10,
        icdo3_topography=topography,
        icdo3_morphology=morphology,
        laterality=laterality,
        diagnosed_on=when,
        is_primary=is_primary,
        histology_text=histology_text.strip(),
        iccc_group=group,
        iccc_subgroup=subgroup,
        clinical_status=clinical_status,
        verification_status=verification_status,
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        diagnosis.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=diagnosis,
            patient=patient,
            detail={"icd10": icd10, "morphology": morphology, "iccc": subgroup},
        )
    return diagnosis


def diagnosis_set_status(
    *,
    diagnosis: Diagnosis,
    clinical_status: str | None = None,
    verification_status: str | None = None,
) -> Diagnosis:
    problems: list[FieldProblem] = []
    if clinical_status is not None:
        _choice(problems, "clinical_status", clinical_status, ClinicalStatus)
    if verification_status is not None:
        _choice(problems, "verification_status", verification_status, VerificationStatus)
    if problems:
        raise ValidationFailed(problems)
    changed = {}
    if clinical_status is not None:
        changed["clinical_status"] = diagnosis.clinical_status = clinical_status
    if verification_status is not None:
        changed["verification_status"] = diagnosis.verification_status = verification_status
    with transaction.atomic():
        diagnosis.save()
        audit_record(
            action=AuditAction.UPDATE, obj=diagnosis, patient=diagnosis.patient, detail=changed
        )
    return diagnosis


def staging_record(
    *,
    diagnosis: Diagnosis,
    classification: str,
    t_category: str,
    n_category: str,
    m_category: str,
    staged_on: dt.date | str,
    stage_group: str = "",
    recorded_by: Any = None,
) -> TnmStaging:
    """AJCC 8th TNM for a diagnosis; impossible combinations are rejected by the data tables."""
    problems: list[FieldProblem] = []
    _choice(problems, "classification", classification, StagingClassification)
    when = check_date(problems, "staged_on", staged_on, diagnosis.patient)
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    if when < diagnosis.diagnosed_on - dt.timedelta(days=90):
        problems.append(
            FieldProblem(
                "staged_on",
                f"is more than 90 days before the diagnosis ({diagnosis.diagnosed_on:%Y-%m-%d})",
                when.isoformat(),
            )
        )
    site = staging.site_for_icd10(diagnosis.icd10_code)
    result = staging.evaluate(
        site=site,
        classification=classification,
        t=t_category,
        n=n_category,
        m=m_category,
        stage_group=stage_group,
        morphology=diagnosis.icdo3_morphology or None,
    )
    problems += [FieldProblem(p.field, p.rule, p.value) for p in result.problems]
    if problems:
        raise ValidationFailed(problems, message="Impossible or unknown TNM staging")
    record = TnmStaging(
        diagnosis=diagnosis,
        classification=classification,
        edition=staging.EDITION,
        site=site,
        t_category=result.t,
        n_category=result.n,
        m_category=result.m,
        stage_group=result.stage_group,
        staged_on=when,
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=record,
            patient=diagnosis.patient,
            detail={"tnm": str(record), "site": site},
        )
    return record


def performance_record(
    *, patient: Patient, scale: str, score: int, observed_on: dt.date | str, recorded_by: Any = None
) -> PerformanceStatus:
    """ECOG (0-5) from age 16; Lansky (0-100 by 10) under 16; Karnofsky also accepted for adults."""
    problems: list[FieldProblem] = []
    _choice(problems, "scale", scale, PerformanceScale)
    when = check_date(problems, "observed_on", observed_on, patient)
    try:
        score = int(score)
    except (TypeError, ValueError):
        problems.append(FieldProblem("score", "must be a whole number", score))
        raise ValidationFailed(problems) from None
    if scale == PerformanceScale.ECOG and not 0 <= score <= 5:
        problems.append(FieldProblem("score", "ECOG must be between 0 and 5", score))
    if scale in (PerformanceScale.LANSKY, PerformanceScale.KARNOFSKY) and (
        not 0 <= score <= 100 or score % 10
    ):
        problems.append(FieldProblem("score", f"{scale} must be 0-100 in steps of 10", score))
    if when is not None and scale in PerformanceScale.values:
        age = patient.age_on(when)
        if age < LANSKY_BELOW_AGE and scale != PerformanceScale.LANSKY:
            problems.append(
                FieldProblem("scale", f"must be lansky for a patient aged {age} (under 16)", scale)
            )
        if age >= LANSKY_BELOW_AGE and scale == PerformanceScale.LANSKY:
            problems.append(
                FieldProblem(
                    "scale", f"lansky is for children under 16; the patient is {age}", scale
                )
            )
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    record = PerformanceStatus(
        patient=patient, scale=scale, score=score, observed_on=when, recorded_by=recorded_by
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=record,
            patient=patient,
            detail={"scale": scale, "score": score},
        )
    return record


def tumor_marker_record(
    *,
    patient: Patient,
    marker: str,
    value: Any,
    unit: str,
    observed_on: dt.date | str,
    diagnosis: Diagnosis | None = None,
    recorded_by: Any = None,
) -> TumorMarker:
    problems: list[FieldProblem] = []
    _choice(problems, "marker", marker, TumorMarkerCode)
    when = check_date(problems, "observed_on", observed_on, patient)
    try:
        amount = Decimal(str(value))
        if amount < 0 or not amount.is_finite():
            problems.append(FieldProblem("value", "must be zero or more", value))
    except InvalidOperation:
        problems.append(FieldProblem("value", "must be a number", value))
        amount = Decimal(0)
    if not unit.strip():
        problems.append(FieldProblem("unit", "is required"))
    if diagnosis is not None and diagnosis.patient_id != patient.pk:
        problems.append(FieldProblem("diagnosis", "belongs to another patient", diagnosis.pk))
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    record = TumorMarker(
        patient=patient,
        diagnosis=diagnosis,
        marker=marker,
        value=amount,
        unit=unit.strip(),
        observed_on=when,
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE, obj=record, patient=patient, detail={"marker": marker}
        )
    return record


def disease_status_record(
    *,
    diagnosis: Diagnosis,
    status: str,
    observed_on: dt.date | str,
    note: str = "",
    recorded_by: Any = None,
) -> DiseaseStatus:
    problems: list[FieldProblem] = []
    _choice(problems, "status", status, DiseaseStatusCode)
    when = check_date(problems, "observed_on", observed_on, diagnosis.patient)
    if when is not None and when < diagnosis.diagnosed_on:
        problems.append(
            FieldProblem(
                "observed_on",
                f"cannot be before the diagnosis ({diagnosis.diagnosed_on:%Y-%m-%d})",
                when.isoformat(),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    record = DiseaseStatus(
        patient=diagnosis.patient,
        diagnosis=diagnosis,
        status=status,
        observed_on=when,
        note=note.strip(),
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=record,
            patient=diagnosis.patient,
            detail={"status": status},
        )
    return record


def treatment_episode_create(
    *,
    patient: Patient,
    by: User,
    modality: str,
    started_on: dt.date | str,
    ended_on: dt.date | str | None = None,
    diagnosis: Diagnosis | None = None,
    at_this_center: bool = True,
    description: str = "",
    source: str = "",
) -> TreatmentEpisode:
    """Record a treatment episode. Other areas call this for RT courses, operations and HSCT;
    `source` names the row that owns it there (e.g. "radiotherapy.course:12")."""
    problems: list[FieldProblem] = []
    _choice(problems, "modality", modality, Modality)
    start = check_date(problems, "started_on", started_on, patient)
    end = check_date(problems, "ended_on", ended_on, patient, required=False)
    if start and end and end < start:
        problems.append(FieldProblem("ended_on", "cannot be before the start", end.isoformat()))
    if diagnosis is not None and diagnosis.patient_id != patient.pk:
        problems.append(FieldProblem("diagnosis", "belongs to another patient", diagnosis.pk))
    if problems:
        raise ValidationFailed(problems)
    assert start is not None
    episode = TreatmentEpisode(
        patient=patient,
        diagnosis=diagnosis,
        modality=modality,
        started_on=start,
        ended_on=end,
        at_this_center=at_this_center,
        description=description.strip(),
        source=source,
    )
    with transaction.atomic():
        episode.save()
        audit_record(
            action=AuditAction.CREATE, obj=episode, patient=patient, detail={"modality": modality}
        )
    return episode


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def treatment_episode_update(
    *,
    episode: TreatmentEpisode,
    by: User,
    started_on: dt.date | str = UNCHANGED,
    ended_on: dt.date | str | None = UNCHANGED,
    description: str = UNCHANGED,
) -> TreatmentEpisode:
    """Correct or complete an episode (its dates, its description); audited with before/after.

    Arguments left out are kept. An episode entered in error cannot be changed."""
    if episode.entered_in_error_at is not None:
        raise Conflict(
            "this treatment episode was entered in error and cannot be changed",
            rule="episode_entered_in_error",
        )
    problems: list[FieldProblem] = []
    start = episode.started_on
    end = episode.ended_on
    if started_on is not UNCHANGED:
        start = check_date(problems, "started_on", started_on, episode.patient) or start
    if ended_on is not UNCHANGED:
        end = check_date(problems, "ended_on", ended_on, episode.patient, required=False)
    if start and end and end < start:
        problems.append(FieldProblem("ended_on", "cannot be before the start", end.isoformat()))
    if problems:
        raise ValidationFailed(problems)
    new_description = episode.description if description is UNCHANGED else description.strip()
    changed: dict[str, list[str]] = {}
    for name, before, after in (
        ("started_on", episode.started_on, start),
        ("ended_on", episode.ended_on, end),
        ("description", episode.description, new_description),
    ):
        if before != after:
            changed[name] = [str(before or ""), str(after or "")]
    if not changed:
        return episode
    with transaction.atomic():
        TreatmentEpisode.all_objects.filter(pk=episode.pk).update(
            started_on=start, ended_on=end, description=new_description, updated_at=timezone.now()
        )
        episode.started_on, episode.ended_on, episode.description = start, end, new_description
        audit_record(
            action=AuditAction.UPDATE,
            obj=episode,
            patient=episode.patient,
            detail={"changed": changed},
        )
    return episode


def treatment_episode_mark_entered_in_error(
    *, episode: TreatmentEpisode, by: User, reason: str
) -> TreatmentEpisode:
    """Withdraw an episode recorded by mistake: it stays, marked, and leaves every reader."""
    if not reason.strip():
        raise ValidationFailed.single("reason", "is required")
    with transaction.atomic():
        locked = TreatmentEpisode.all_objects.select_for_update().get(pk=episode.pk)
        if locked.entered_in_error_at is not None:
            return locked
        locked.entered_in_error_at = timezone.now()
        locked.entered_in_error_reason = reason.strip()[:300]
        locked.save(update_fields=["entered_in_error_at", "entered_in_error_reason", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=locked,
            patient=locked.patient,
            detail={"entered_in_error": locked.entered_in_error_reason},
        )
    return locked


def treatment_episode_for_source(source: str) -> TreatmentEpisode | None:
    """The current episode another area created for one of its rows (None when there is none)."""
    return TreatmentEpisode.objects.filter(source=source).order_by("-pk").first()


def workup_order_create(
    *,
    patient: Patient,
    department: str,
    test_name: str,
    diagnosis: Diagnosis | None = None,
    ordered_by: Any = None,
    ordered_at: dt.datetime | None = None,
) -> WorkupOrder:
    problems: list[FieldProblem] = []
    _choice(problems, "department", department, WorkupDepartment)
    if not test_name.strip():
        problems.append(FieldProblem("test_name", "is required"))
    if diagnosis is not None and diagnosis.patient_id != patient.pk:
        problems.append(FieldProblem("diagnosis", "belongs to another patient", diagnosis.pk))
    ordered_at = ordered_at or timezone.now()
    if ordered_at > timezone.now() + dt.timedelta(minutes=5):
        problems.append(
            FieldProblem("ordered_at", "cannot be in the future", ordered_at.isoformat())
        )
    if problems:
        raise ValidationFailed(problems)
    order = WorkupOrder(
        patient=patient,
        diagnosis=diagnosis,
        department=department,
        test_name=test_name.strip(),
        ordered_at=ordered_at,
        ordered_by=ordered_by,
    )
    with transaction.atomic():
        order.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=order,
            patient=patient,
            detail={"department": department, "test": order.test_name},
        )
    return order


WORKUP_TRANSITIONS = {
    WorkupStatus.ORDERED: {WorkupStatus.IN_PROGRESS, WorkupStatus.RESULTED, WorkupStatus.CANCELLED},
    WorkupStatus.IN_PROGRESS: {WorkupStatus.RESULTED, WorkupStatus.CANCELLED},
    WorkupStatus.RESULTED: set(),
    WorkupStatus.CANCELLED: set(),
}


def workup_order_advance(
    *,
    order: WorkupOrder,
    status: str,
    result_summary: str = "",
    by: Any = None,
    at: dt.datetime | None = None,
) -> WorkupOrder:
    """Move an order along ordered -> in-progress -> resulted (or cancelled); a result needs a summary."""
    problems: list[FieldProblem] = []
    _choice(problems, "status", status, WorkupStatus)
    if problems:
        raise ValidationFailed(problems)
    allowed = WORKUP_TRANSITIONS[WorkupStatus(order.status)]
    if status not in allowed:
        raise Conflict(
            f"A {order.status} order cannot become {status}.",
            rule="workup_status_flow",
            problems=[FieldProblem("status", f"cannot follow {order.status}", status)],
        )
    at = at or timezone.now()
    if at < order.ordered_at:
        raise ValidationFailed.single("at", "cannot be before the order time", at.isoformat())
    if status == WorkupStatus.RESULTED and not result_summary.strip():
        raise ValidationFailed.single("result_summary", "is required to report a result")
    with transaction.atomic():
        locked = WorkupOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status != order.status:
            raise Conflict("The order changed meanwhile; reload it.", rule="stale")
        locked.status = status
        if status == WorkupStatus.IN_PROGRESS:
            locked.started_at = at
        if status == WorkupStatus.RESULTED:
            locked.resulted_at = at
            locked.result_summary = result_summary.strip()
            locked.resulted_by = by
        locked.save()
        audit_record(
            action=AuditAction.UPDATE, obj=locked, patient=locked.patient, detail={"status": status}
        )
    return locked
