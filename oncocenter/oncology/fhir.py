"""FHIR R4 / mCODE shapes of the oncology record, field to field (no server, just resources).

Diagnosis -> Condition (mCODE PrimaryCancerCondition / SecondaryCancerCondition), TNM staging ->
Observation (mCODE TNMStageGroup with T, N, M as components). Validated with fhir.resources R4B
in the tests.
"""

from __future__ import annotations

from typing import Any

from oncocenter.oncology import codes
from oncocenter.oncology.models import Diagnosis, TnmStaging

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
HISTOLOGY_EXT = f"{MCODE}/mcode-histology-morphology-behavior"
LATERALITY_EXT = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
LOCAL = "urn:oncocenter"
LOINC = "http://loinc.org"
AJCC = "urn:oncocenter:ajcc8"


def _coding(code_list: str, value: str) -> dict[str, str]:
    try:
        return codes.lookup(code_list, value).as_coding()
    except codes.UnknownCodeError:
        system = codes.ICD10_SYSTEM if code_list == codes.ICD10 else codes.ICDO3_SYSTEM
        return {"system": system, "code": value}


def diagnosis_to_fhir(d: Diagnosis) -> dict[str, Any]:
    profile = (
        "mcode-primary-cancer-condition" if d.is_primary else "mcode-secondary-cancer-condition"
    )
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": f"diagnosis-{d.pk}",
        "meta": {"profile": [f"{MCODE}/{profile}"]},
        "clinicalStatus": {"coding": [{"system": CLINICAL_STATUS, "code": d.clinical_status}]},
        "verificationStatus": {
            "coding": [{"system": VERIFICATION_STATUS, "code": d.verification_status}]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "problem-list-item",
                    }
                ]
            }
        ],
        "code": {
            "coding": [_coding(codes.ICD10, d.icd10_code)],
            "text": d.histology_text or d.icd10_code,
        },
        "subject": {"reference": f"Patient/{d.patient.mrn}"},
        "onsetDateTime": d.diagnosed_on.isoformat(),
        "recordedDate": d.created_at.date().isoformat()
        if d.created_at
        else d.diagnosed_on.isoformat(),
    }
    if d.icdo3_topography:
        resource["bodySite"] = [{"coding": [_coding(codes.ICDO3_TOPOGRAPHY, d.icdo3_topography)]}]
        if d.laterality not in ("not-applicable", "unknown"):
            resource["bodySite"][0]["extension"] = [
                {
                    "url": LATERALITY_EXT,
                    "valueCodeableConcept": {"coding": [{"system": LOCAL, "code": d.laterality}]},
                }
            ]
    extensions = []
    if d.icdo3_morphology:
        extensions.append(
            {
                "url": HISTOLOGY_EXT,
                "valueCodeableConcept": {
                    "coding": [_coding(codes.ICDO3_MORPHOLOGY, d.icdo3_morphology)]
                },
            }
        )
    if d.iccc_subgroup:
        extensions.append(
            {
                "url": f"{LOCAL}/iccc3",
                "valueCodeableConcept": {
                    "coding": [{"system": f"{LOCAL}/iccc3", "code": d.iccc_subgroup}]
                },
            }
        )
    if extensions:
        resource["extension"] = extensions
    return resource


def staging_to_fhir(s: TnmStaging) -> dict[str, Any]:
    """mCODE TNM stage group observation with the T, N, M categories as components."""
    prefix = "c" if s.classification == "clinical" else "p"
    loinc = {"clinical": "21908-9", "pathological": "21902-2"}[s.classification]
    return {
        "resourceType": "Observation",
        "id": f"tnm-{s.pk}",
        "meta": {"profile": [f"{MCODE}/mcode-tnm-stage-group"]},
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": {"reference": f"Patient/{s.diagnosis.patient.mrn}"},
        "focus": [{"reference": f"Condition/diagnosis-{s.diagnosis_id}"}],
        "effectiveDateTime": s.staged_on.isoformat(),
        "method": {
            "coding": [
                {
                    "system": AJCC,
                    "code": f"ajcc-{s.edition}",
                    "display": f"AJCC {s.edition}th edition",
                }
            ]
        },
        "valueCodeableConcept": {"coding": [{"system": AJCC, "code": s.stage_group or "unknown"}]},
        "component": [
            {
                "code": {"coding": [{"system": AJCC, "code": f"{axis}-category"}]},
                "valueCodeableConcept": {"coding": [{"system": AJCC, "code": f"{prefix}{value}"}]},
            }
            for axis, value in (("T", s.t_category), ("N", s.n_category), ("M", s.m_category))
        ],
    }
