"""Reads for trials: patient facts for eligibility, pre-screening of candidates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.oncology.models import (
    Diagnosis,
    PerformanceStatus,
    TnmStaging,
    TreatmentEpisode,
    VerificationStatus,
)
from oncocenter.patients.models import Patient
from oncocenter.trials import eligibility as el
from oncocenter.trials.models import Study

EXCLUDED_VERIFICATION = (VerificationStatus.REFUTED, VerificationStatus.ENTERED_IN_ERROR)


@dataclass(frozen=True)
class Candidate:
    patient: Patient
    evaluation: el.Evaluation


def _facts_for(patient_ids: list[int], prefixes: tuple[str, ...] = ()) -> dict[int, dict]:
    """Facts for many patients in a fixed number of queries. With ``prefixes`` (the study's
    diagnosis codes), only the stage of a matching diagnosis counts: a stage II breast cancer says
    nothing about the esophageal cancer a study is about."""
    facts: dict[int, dict] = defaultdict(
        lambda: {"codes": [], "stages": [], "ps": None, "therapies": None}
    )
    diagnoses = Diagnosis.objects.filter(patient_id__in=patient_ids).exclude(
        verification_status__in=EXCLUDED_VERIFICATION
    )
    for patient_id, code in diagnoses.values_list("patient_id", "icd10_code"):
        facts[patient_id]["codes"].append(code)
    latest: dict[int, tuple] = {}
    stagings = (
        TnmStaging.objects.filter(diagnosis__patient_id__in=patient_ids)
        .exclude(stage_group="")
        .exclude(diagnosis__verification_status__in=EXCLUDED_VERIFICATION)
    )
    for diagnosis_id, patient_id, code, stage, on, pk in stagings.values_list(
        "diagnosis_id",
        "diagnosis__patient_id",
        "diagnosis__icd10_code",
        "stage_group",
        "staged_on",
        "id",
    ):
        if prefixes and not any(el.code_matches(code, p) for p in prefixes):
            continue
        if diagnosis_id not in latest or (on, pk) > latest[diagnosis_id][1:]:
            latest[diagnosis_id] = (patient_id, on, pk, stage)
    for patient_id, _on, _pk, stage in latest.values():
        facts[patient_id]["stages"].append(stage)
    for ps in PerformanceStatus.objects.filter(patient_id__in=patient_ids).order_by(
        "observed_on", "id"
    ):
        facts[ps.patient_id]["ps"] = el.PerformanceObservation(ps.scale, ps.score, ps.observed_on)
    for patient_id, modality in TreatmentEpisode.objects.filter(
        patient_id__in=patient_ids
    ).values_list("patient_id", "modality"):
        facts[patient_id]["therapies"] = (facts[patient_id]["therapies"] or []) + [modality]
    return facts


def patient_facts(
    patient: Patient, facts: dict | None = None, prefixes: tuple[str, ...] = ()
) -> el.PatientFacts:
    """What the record says. No treatment episode at all means 'history not recorded' (unknown)."""
    data = (facts or _facts_for([patient.pk], prefixes))[patient.pk]
    therapies = data["therapies"]
    return el.PatientFacts(
        birth_date=patient.birth_date,
        diagnosis_codes=tuple(data["codes"]) or None,
        stage_groups=tuple(data["stages"]) or None,
        performance=data["ps"],
        prior_therapies=tuple(therapies) if therapies is not None else None,
    )


def evaluate_patient(*, study: Study, patient: Patient, as_of: dt.date) -> el.Evaluation:
    criteria = study.criteria()
    return el.evaluate(
        criteria, patient_facts(patient, prefixes=criteria.diagnosis_code_prefixes), as_of=as_of
    )


def prescreen(*, study: Study, as_of: dt.date, limit: int = 200) -> list[Candidate]:
    """Patients whose diagnoses match the study's codes (all patients with a diagnosis if none),
    each with every criterion's verdict; eligible first, then possibly eligible, then the rest."""
    diagnoses = Diagnosis.objects.exclude(verification_status__in=EXCLUDED_VERIFICATION)
    if study.diagnosis_code_prefixes:
        match = Q()
        for prefix in study.diagnosis_code_prefixes:
            match |= Q(icd10_code__startswith=prefix)
        diagnoses = diagnoses.filter(match)
    patient_ids = list(diagnoses.values_list("patient_id", flat=True).distinct()[: limit * 5])
    patients = list(
        Patient.objects.filter(pk__in=patient_ids, deceased_on__isnull=True).order_by("mrn")
    )
    criteria = study.criteria()
    facts = _facts_for([p.pk for p in patients], criteria.diagnosis_code_prefixes)
    candidates = [
        Candidate(p, el.evaluate(criteria, patient_facts(p, facts), as_of=as_of)) for p in patients
    ]
    rank = {el.ELIGIBLE: 0, el.POSSIBLY_ELIGIBLE: 1, el.INELIGIBLE: 2}
    candidates.sort(key=lambda c: (rank[c.evaluation.overall], c.patient.mrn))
    candidates = candidates[:limit]
    audit_record(
        action=AuditAction.SEARCH,
        object_type="trials.prescreen",
        object_id=str(study.pk),
        detail={
            "study": study.code,
            "count": len(candidates),
            "mrns": [c.patient.mrn for c in candidates[:50]],
        },
    )
    return candidates


def study_audit_read(study: Study) -> None:
    """Record that a study's enrollments and screening log (patient data) were read."""
    mrns = sorted(set(study.enrollments.values_list("patient__mrn", flat=True)))
    audit_record(action=AuditAction.READ, obj=study, detail={"enrolled_mrns": mrns})
