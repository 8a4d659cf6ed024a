"""OncoCenter rows as FHIR R4 resources shaped to the mCODE STU4 profiles.

Every builder takes a row (with its relations already loaded by the server, so that building a
page of resources adds no query) and returns a plain dict. Ids are stable and typed by the table
they come from (`diagnosis-12`, `tnm-3-t`, `rtcourse-7`); `meta.versionId` and `lastUpdated`
follow the row's `updated_at`, since OncoCenter keeps the current version of each row only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from oncocenter.interop.fhir import terminology as tx

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition"
MRN_SYSTEM = "urn:oncocenter:mrn"
LOCAL = "urn:oncocenter"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
AJCC8_METHOD = {
    "system": tx.SNOMED,
    "code": "897275008",
    "display": "American Joint Commission on Cancer, Cancer Staging Manual, 8th edition "
    "neoplasm staging system (tumor staging)",
}
PHYSICAL_EXAM = {
    "system": tx.SNOMED,
    "code": "5880005",
    "display": "Physical examination procedure (procedure)",
}


def version_id(updated_at: dt.datetime | None) -> str:
    """A version that changes whenever the row changes (microseconds since the epoch)."""
    if updated_at is None:
        return "1"
    return str(int(updated_at.timestamp() * 1_000_000))


def meta(updated_at: dt.datetime | None, profile: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"versionId": version_id(updated_at)}
    if updated_at is not None:
        out["lastUpdated"] = updated_at.isoformat()
    if profile:
        out["profile"] = [profile if profile.startswith("http") else f"{MCODE}/{profile}"]
    return out


def ref(resource_type: str, rid: str) -> dict[str, str]:
    return {"reference": f"{resource_type}/{rid}"}


def identifier_system(authority: str) -> str:
    """A PID-3 assigning authority as a FHIR identifier system (URIs are kept as they are)."""
    return authority if ":" in authority else f"{LOCAL}:authority:{authority}"


def authority_of(system: str) -> str:
    prefix = f"{LOCAL}:authority:"
    return system[len(prefix) :] if system.startswith(prefix) else system


def _cc(*codings: dict[str, str] | None, text: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [c for c in codings if c]}
    if text:
        out["text"] = text
    return out


def _category(code: str) -> list[dict[str, Any]]:
    return [_cc({"system": OBS_CATEGORY, "code": code})]


def _num(value: Decimal | float | int) -> float | int:
    f = float(value)
    return int(f) if f.is_integer() else f


# --- Patient, Practitioner ---------------------------------------------------------------------


def patient_id(p: Any) -> str:
    return str(p.mrn)


def patient(p: Any, identifiers: list[Any] | None = None) -> dict[str, Any]:
    names: list[dict[str, Any]] = []
    latin: dict[str, Any] = {"use": "official", "family": p.family_name_en}
    if p.given_name_en:
        latin["given"] = p.given_name_en.split()
    names.append(latin)
    if p.name_ko:
        names.append({"use": "usual", "text": p.name_ko, "extension": [_lang("ko")]})
    ids = [
        {
            "use": "usual",
            "type": _cc(
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                    "code": "MR",
                    "display": "Medical Record Number",
                }
            ),
            "system": MRN_SYSTEM,
            "value": p.mrn,
        }
    ]
    for ident in identifiers or []:
        ids.append(
            {
                "use": "secondary",
                "type": _cc(
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                        "code": ident.type_code,
                    }
                ),
                "system": identifier_system(ident.authority),
                "value": ident.value,
            }
        )
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient_id(p),
        "meta": meta(p.updated_at, "mcode-cancer-patient"),
        "identifier": ids,
        "name": names,
        "gender": p.sex,
        "birthDate": p.birth_date.isoformat(),
    }
    if p.deceased_on:
        out["deceasedDateTime"] = p.deceased_on.isoformat()
    return out


def _lang(code: str) -> dict[str, Any]:
    return {"url": "http://hl7.org/fhir/StructureDefinition/language", "valueCode": code}


def practitioner(user: Any) -> dict[str, Any]:
    family = user.last_name or user.get_username()
    name: dict[str, Any] = {"family": family}
    if user.first_name:
        name["given"] = [user.first_name]
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": meta(None, f"{US_CORE}/us-core-practitioner"),
        "identifier": [{"system": f"{LOCAL}:staff", "value": user.get_username()}],
        "active": bool(user.is_active),
        "name": [name],
    }


# --- Condition -----------------------------------------------------------------------------------


def condition_id(d: Any) -> str:
    return f"diagnosis-{d.pk}"


def condition(d: Any, *, primary: Any = None, stagings: list[Any] | None = None) -> dict[str, Any]:
    """A diagnosis as mCODE PrimaryCancerCondition or SecondaryCancerCondition.

    `primary` is the patient's primary cancer for a secondary condition; `stagings` the
    diagnosis's TNM stagings, newest last (the newest becomes `Condition.stage`).
    """
    profile = (
        "mcode-primary-cancer-condition" if d.is_primary else "mcode-secondary-cancer-condition"
    )
    from oncocenter.oncology import codes

    def local(code_list: str, value: str, system: str) -> dict[str, str]:
        try:
            return codes.lookup(code_list, value).as_coding()
        except codes.UnknownCodeError:
            return {"system": system, "code": value}

    changed = [t for t in (d.updated_at, *(s.updated_at for s in stagings or [])) if t]
    out: dict[str, Any] = {
        "resourceType": "Condition",
        "id": condition_id(d),
        # The Condition says its latest stage: a new or corrected staging is a new version.
        "meta": meta(max(changed) if changed else None, profile),
        "clinicalStatus": _cc(
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": d.clinical_status,
            }
        ),
        "verificationStatus": _cc(
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "code": d.verification_status,
            }
        ),
        "category": [
            _cc(
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                    "code": "problem-list-item",
                }
            )
        ],
        # ICD-10 (WHO) as kept, then ICD-10-CM (the system mCODE binds) through the map
        # generated from the official list, the side-specific code where the laterality says.
        "code": _cc(
            local(codes.ICD10, d.icd10_code, tx.ICD10),
            tx.coding_for_side(tx.ICD10CM_MAP, d.icd10_code, d.laterality),
            text=d.histology_text or d.icd10_code,
        ),
        "subject": ref("Patient", d.patient.mrn),
        "onsetDateTime": d.diagnosed_on.isoformat(),
        "recordedDate": (d.created_at or dt.datetime.combine(d.diagnosed_on, dt.time()))
        .date()
        .isoformat(),
    }
    extensions: list[dict[str, Any]] = []
    if d.icdo3_morphology:
        extensions.append(
            {
                "url": f"{MCODE}/mcode-histology-morphology-behavior",
                "valueCodeableConcept": _cc(
                    local(codes.ICDO3_MORPHOLOGY, d.icdo3_morphology, tx.ICDO3)
                ),
            }
        )
    if not d.is_primary and primary is not None:
        extensions.append(
            {
                "url": f"{MCODE}/mcode-related-primary-cancer-condition",
                "valueReference": ref("Condition", condition_id(primary)),
            }
        )
    if d.iccc_subgroup:
        extensions.append(
            {
                "url": f"{LOCAL}/iccc3",
                "valueCodeableConcept": _cc({"system": f"{LOCAL}/iccc3", "code": d.iccc_subgroup}),
            }
        )
    if extensions:
        out["extension"] = extensions
    if d.icdo3_topography:
        site: dict[str, Any] = _cc(local(codes.ICDO3_TOPOGRAPHY, d.icdo3_topography, tx.ICDO3))
        lat = tx.coding("laterality", d.laterality)
        if lat:
            site["extension"] = [
                {"url": f"{MCODE}/mcode-laterality-qualifier", "valueCodeableConcept": _cc(lat)}
            ]
        out["bodySite"] = [site]
    if stagings:
        s = stagings[-1]
        out["stage"] = [
            {
                "summary": _cc(_stage_value(s.stage_group), text=s.stage_group or "unknown"),
                "assessment": [ref("Observation", tnm_id(s))],
                "type": _cc(AJCC8_METHOD),
            }
        ]
    return out


def _stage_value(group: str) -> dict[str, str] | None:
    return {"system": tx.AJCC, "code": group} if group else None


# --- Observations --------------------------------------------------------------------------------


def tnm_id(s: Any, axis: str = "") -> str:
    return f"tnm-{s.pk}-{axis.lower()}" if axis else f"tnm-{s.pk}"


AXES = {
    "T": "mcode-tnm-primary-tumor-category",
    "N": "mcode-tnm-regional-nodes-category",
    "M": "mcode-tnm-distant-metastases-category",
}


def tnm_observations(s: Any) -> list[dict[str, Any]]:
    """A TNM staging as four Observations: the stage group with T, N and M as `hasMember`."""
    prefix = "c" if s.classification == "clinical" else "p"
    subject = ref("Patient", s.diagnosis.patient.mrn)
    focus = [ref("Condition", f"diagnosis-{s.diagnosis_id}")]
    common = {
        "status": "final",
        "category": _category("exam" if s.classification == "clinical" else "laboratory"),
        "subject": subject,
        "focus": focus,
        "effectiveDateTime": s.staged_on.isoformat(),
        "method": _cc(AJCC8_METHOD),
    }
    group: dict[str, Any] = {
        "resourceType": "Observation",
        "id": tnm_id(s),
        "meta": meta(s.updated_at, "mcode-tnm-stage-group"),
        **common,
        "code": _cc(tx.coding("tnm_type", f"{s.classification}:group")),
        "valueCodeableConcept": _cc(_stage_value(s.stage_group), text=s.stage_group or "unknown"),
        "hasMember": [ref("Observation", tnm_id(s, axis)) for axis in AXES],
    }
    out = [group]
    for axis, profile in AXES.items():
        value = getattr(s, f"{axis.lower()}_category")
        out.append(
            {
                "resourceType": "Observation",
                "id": tnm_id(s, axis),
                "meta": meta(s.updated_at, profile),
                **common,
                "code": _cc(tx.coding("tnm_type", f"{s.classification}:{axis}")),
                "valueCodeableConcept": _cc(
                    {"system": tx.AJCC, "code": f"{prefix}{value}"}, text=f"{prefix}{value}"
                ),
            }
        )
    return out


def performance_id(ps: Any) -> str:
    return f"performance-{ps.pk}"


def performance(ps: Any) -> dict[str, Any]:
    profile = {
        "ecog": "mcode-ecog-performance-status",
        "karnofsky": "mcode-karnofsky-performance-status",
        "lansky": "mcode-lansky-play-performance-status",
    }[ps.scale]
    return {
        "resourceType": "Observation",
        "id": performance_id(ps),
        "meta": meta(ps.updated_at, profile),
        "status": "final",
        "category": _category("survey"),
        "code": _cc(tx.coding("performance_scale", ps.scale)),
        "subject": ref("Patient", ps.patient.mrn),
        "effectiveDateTime": ps.observed_on.isoformat(),
        "valueInteger": ps.score,
        "method": _cc(PHYSICAL_EXAM),
    }


def marker_id(m: Any) -> str:
    return f"marker-{m.pk}"


def tumor_marker(m: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Observation",
        "id": marker_id(m),
        "meta": meta(m.updated_at, "mcode-tumor-marker-test"),
        "status": "final",
        "category": _category("laboratory"),
        "code": _cc(
            tx.coding("tumor_marker", m.marker),
            {"system": f"{LOCAL}:tumor-marker", "code": m.marker},
            text=m.marker,
        ),
        "subject": ref("Patient", m.patient.mrn),
        "effectiveDateTime": m.observed_on.isoformat(),
        "valueQuantity": {"value": _num(m.value), "unit": m.unit},
    }
    if m.diagnosis_id:
        out["focus"] = [ref("Condition", f"diagnosis-{m.diagnosis_id}")]
    return out


def status_id(ds: Any) -> str:
    return f"status-{ds.pk}"


def disease_status(ds: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": status_id(ds),
        "meta": meta(ds.updated_at, "mcode-cancer-disease-status"),
        "status": "final",
        "category": _category("exam"),
        "code": _cc(
            {"system": tx.LOINC, "code": "97509-4", "display": "Cancer Disease Progression"}
        ),
        "subject": ref("Patient", ds.patient.mrn),
        "focus": [ref("Condition", f"diagnosis-{ds.diagnosis_id}")],
        "effectiveDateTime": ds.observed_on.isoformat(),
        "valueCodeableConcept": _cc(
            tx.coding("disease_status", ds.status),
            {"system": f"{LOCAL}:disease-status", "code": ds.status},
        ),
    }


# --- Procedures ------------------------------------------------------------------------------------

COURSE_STATUS = {
    "planned": "preparation",
    "active": "in-progress",
    "completed": "completed",
    "stopped": "stopped",
    "entered-in-error": "entered-in-error",
}


def rt_course_id(c: Any) -> str:
    return f"rtcourse-{c.pk}"


def rt_course_summary(c: Any, prescriptions: list[Any]) -> dict[str, Any]:
    """An RT course as mCODE RadiotherapyCourseSummary: modality and technique, sessions, and the
    dose delivered to each prescribed volume (fractions delivered x dose per fraction)."""
    sessions = sum(rx.fractions_delivered for rx in prescriptions)
    extensions: list[dict[str, Any]] = []
    intent = tx.coding("procedure_intent", c.intent)
    if intent:
        extensions.append(
            {"url": f"{MCODE}/mcode-procedure-intent", "valueCodeableConcept": _cc(intent)}
        )
    extensions.append({"url": f"{MCODE}/mcode-radiotherapy-sessions", "valueUnsignedInt": sessions})
    seen: set[str] = set()
    for rx in prescriptions:
        if rx.technique in seen:
            continue
        seen.add(rx.technique)
        parts = []
        modality = tx.coding("rt_modality", rx.technique)
        if modality:
            parts.append(
                {
                    "url": f"{MCODE}/mcode-radiotherapy-modality",
                    "valueCodeableConcept": _cc(modality),
                }
            )
        technique = tx.coding("rt_technique", rx.technique)
        if technique:
            parts.append(
                {
                    "url": f"{MCODE}/mcode-radiotherapy-technique",
                    "valueCodeableConcept": _cc(technique),
                }
            )
        if parts:
            extensions.append(
                {"url": f"{MCODE}/mcode-radiotherapy-modality-and-technique", "extension": parts}
            )
    for rx in prescriptions:
        delivered_cgy = float(rx.dose_per_fraction_gy) * rx.fractions_delivered * 100
        extensions.append(
            {
                "url": f"{MCODE}/mcode-radiotherapy-dose-delivered-to-volume",
                "extension": [
                    {
                        "url": "volume",
                        "valueReference": {"display": rx.site},
                    },
                    {
                        "url": "totalDoseDelivered",
                        "valueQuantity": {
                            "value": round(delivered_cgy, 1),
                            "unit": "cGy",
                            "system": "http://unitsofmeasure.org",
                            "code": "cGy",
                        },
                    },
                    {"url": "fractionsDelivered", "valueUnsignedInt": rx.fractions_delivered},
                ],
            }
        )
    out: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": rt_course_id(c),
        "meta": meta(c.updated_at, "mcode-radiotherapy-course-summary"),
        "extension": extensions,
        "status": COURSE_STATUS.get(c.status, "unknown"),
        "category": _cc(
            {
                "system": tx.SNOMED,
                "code": "108290001",
                "display": "Radiation oncology AND/OR radiotherapy (procedure)",
            }
        ),
        "code": _cc(
            {
                "system": tx.SNOMED,
                "code": "1217123003",
                "display": "Radiotherapy course of treatment (regime/therapy)",
            }
        ),
        "subject": ref("Patient", c.patient.mrn),
        "asserter": ref("Practitioner", str(c.physician_id)),
        "reasonReference": [
            ref("Condition", f"diagnosis-{rx.diagnosis_id}")
            for rx in prescriptions
            if rx.diagnosis_id
        ][:1],
    }
    if not out["reasonReference"]:
        del out["reasonReference"]
    if c.started_on:
        period = {"start": c.started_on.isoformat()}
        if c.ended_on:
            period["end"] = c.ended_on.isoformat()
        out["performedPeriod"] = period
    return out


EPISODE_STATUS = {True: "completed", False: "in-progress"}


def episode_id(e: Any) -> str:
    return f"treatment-{e.pk}"


def treatment_episode(e: Any) -> dict[str, Any]:
    """A treatment episode other than an RT course (surgery, chemotherapy, HSCT, ...)."""
    # No mCODE profile: the episode's modality is a local code, not a SNOMED CT procedure, so
    # claiming CancerRelatedSurgicalProcedure would fail its required code binding.
    profile = None
    out: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": episode_id(e),
        "meta": meta(e.updated_at, profile),
        "status": EPISODE_STATUS[e.ended_on is not None],
        "code": _cc(
            {"system": f"{LOCAL}:treatment-modality", "code": e.modality},
            text=e.description or e.modality,
        ),
        "subject": ref("Patient", e.patient.mrn),
        "performedPeriod": {"start": e.started_on.isoformat()},
    }
    if e.ended_on:
        out["performedPeriod"]["end"] = e.ended_on.isoformat()
    if e.diagnosis_id:
        out["reasonReference"] = [ref("Condition", f"diagnosis-{e.diagnosis_id}")]
    return out
