"""Importing FHIR resources (the mCODE examples, or a partner's export) into OncoCenter.

Each resource goes through the service that records that fact here (patients, diagnoses,
staging, performance status, disease status, tumor markers), so the same rules apply as for a
person typing it in. A resource either lands (`imported`) or is refused with a reason that names
what is missing; nothing is half-saved. References between resources are resolved through
`ImportContext`, so import Patients first, then Conditions, then Observations.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from oncocenter.accounts.models import User
from oncocenter.core.errors import DomainError, ValidationFailed
from oncocenter.interop.fhir import resources as R
from oncocenter.interop.fhir import terminology as tx
from oncocenter.interop.fhir import vitals
from oncocenter.oncology import services as onc
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients import services as patients
from oncocenter.patients.models import Patient, PatientIdentifier

MCODE = R.MCODE + "/"
ORDER = {"Patient": 0, "Condition": 1, "Observation": 2}
_AJCC_DISPLAY = re.compile(
    r"American Joint Committee on Cancer (?:stage )?([a-z]{0,2}[TNM]?[0-9A-Za-z()]+)"
)


class Refused(Exception):
    pass


@dataclass
class ImportContext:
    by: User
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)  # "Type/id" -> resource
    patients: dict[str, Patient] = field(default_factory=dict)
    conditions: dict[str, Diagnosis] = field(default_factory=dict)
    local_ids: dict[str, str] = field(default_factory=dict)  # "Type/id" -> exported id here
    # False for FHIR writes: a Patient whose identifier is already known here is a conflict
    # (the client asks for reuse with ifNoneExist), not silently the same person.
    reuse_known: bool = True


@dataclass
class ImportResult:
    key: str
    status: str  # imported | refused
    reason: str = ""
    local: Any = None


def _profiles(res: dict[str, Any]) -> list[str]:
    return [p.removeprefix(MCODE) for p in res.get("meta", {}).get("profile", [])]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _ref(res: dict[str, Any], key: str) -> str:
    value = res.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value.get("reference", "")) if isinstance(value, dict) else ""


def _patient_of(res: dict[str, Any], ctx: ImportContext) -> Patient:
    ref = _ref(res, "subject")
    patient = ctx.patients.get(ref)
    if patient is None:
        raise Refused(f"its subject {ref or '(none)'} was not imported")
    return patient


def _condition_of(res: dict[str, Any], ctx: ImportContext) -> Diagnosis:
    ref = _ref(res, "focus")
    d = ctx.conditions.get(ref)
    if d is None and not ref:
        # No focus: the patient's only primary cancer imported here, if there is exactly one.
        patient = _patient_of(res, ctx)
        primaries = [
            c for c in ctx.conditions.values() if c.patient_id == patient.pk and c.is_primary
        ]
        d = primaries[0] if len(primaries) == 1 else None
    if d is None:
        raise Refused(f"its focus {ref or '(none)'} is not a cancer condition imported here")
    return d


def _ajcc(value: dict[str, Any] | None) -> str:
    """An AJCC value from cancerstaging.org, or from the SNOMED CT AJCC qualifier's display
    (the package's value sets list them as 'American Joint Committee on Cancer cT3 ...')."""
    for c in (value or {}).get("coding", []):
        if c.get("system") == tx.AJCC:
            return str(c["code"])
        m = _AJCC_DISPLAY.search(c.get("display", ""))
        if c.get("system") == tx.SNOMED and m:
            return m.group(1)
    codes = [f"{c.get('system')}|{c.get('code')}" for c in (value or {}).get("coding", [])]
    raise Refused(
        f"value {', '.join(codes) or '(none)'} is neither an AJCC code nor a SNOMED CT AJCC qualifier"
    )


def import_patient(res: dict[str, Any], ctx: ImportContext) -> Patient:
    idents = [
        (R.authority_of(i.get("system", "")), i.get("value", "")) for i in res.get("identifier", [])
    ]
    idents = [(a, v) for a, v in idents if a and v]
    if not idents:
        raise Refused("no identifier with a system: it could not be found again")
    name = next((n for n in res.get("name", []) if n.get("family")), None)
    if name is None:
        raise Refused("no name with a family name")
    for authority, value in idents:
        known = (
            PatientIdentifier.objects.select_related("patient")
            .filter(authority=authority, value=value)
            .first()
        )
        if known is not None:
            p = known.patient
            if not ctx.reuse_known:
                raise Refused(
                    f"identifier {authority}|{value} is already Patient/{p.mrn}; send "
                    "ifNoneExist to use the patient kept here"
                )
            if (
                p.birth_date.isoformat() != res.get("birthDate")
                or p.family_name_en != name["family"]
            ):
                raise Refused(
                    f"identifier {authority}|{value} already names another person here ({p.mrn})"
                )
            return p
    p = patients.patient_create(
        by=ctx.by,
        family_name_en=name["family"],
        given_name_en=" ".join(name.get("given", [])),
        birth_date=res.get("birthDate", ""),
        sex=res.get("gender", ""),
    )
    for authority, value in idents:
        patients.patient_identifier_add(patient=p, by=ctx.by, authority=authority, value=value)
    return p


def import_condition(res: dict[str, Any], ctx: ImportContext) -> Diagnosis:
    profiles = _profiles(res)
    if not {"mcode-primary-cancer-condition", "mcode-secondary-cancer-condition"} & set(profiles):
        raise Refused("not a cancer condition (OncoCenter keeps cancer diagnoses only)")
    patient = _patient_of(res, ctx)
    icd10 = topography = morphology = None
    for c in res.get("code", {}).get("coding", []):
        if c.get("system") == tx.ICD10:
            icd10 = c["code"]
        elif c.get("system") == tx.SNOMED:
            hit = tx.coding("snomed_disorder_to_icd10", c["code"])
            icd10 = hit["code"] if hit else icd10
            topography = (tx.coding("snomed_disorder_to_icdo3_topography", c["code"]) or {}).get(
                "code"
            )
            morphology = (tx.coding("snomed_disorder_to_icdo3_morphology", c["code"]) or {}).get(
                "code"
            )
    for ext in res.get("extension", []):
        if ext.get("url", "").endswith("mcode-histology-morphology-behavior"):
            for c in ext.get("valueCodeableConcept", {}).get("coding", []):
                if c.get("system") == tx.ICDO3:
                    morphology = c["code"]
                elif c.get("system") == tx.SNOMED:
                    morphology = (tx.coding("snomed_morphology_to_icdo3", c["code"]) or {}).get(
                        "code"
                    ) or morphology
    if icd10 is None:
        codes = [
            f"{c.get('system')}|{c.get('code')}" for c in res.get("code", {}).get("coding", [])
        ]
        raise Refused(
            f"no maintained map from {', '.join(codes)} to an ICD-10 code of the shipped list"
        )
    laterality = "not-applicable"
    for site in res.get("bodySite", []):
        for c in site.get("coding", []):
            if c.get("system") == tx.ICDO3:
                topography = c["code"]
            elif c.get("system") == tx.SNOMED:
                topography = (tx.coding("snomed_site_to_icdo3", c["code"]) or {}).get(
                    "code"
                ) or topography
                laterality = (tx.coding("snomed_site_laterality", c["code"]) or {}).get(
                    "code"
                ) or laterality
        for ext in site.get("extension", []):
            for c in ext.get("valueCodeableConcept", {}).get("coding", []):
                laterality = (
                    tx.reverse("laterality", c.get("system", ""), c.get("code", "")) or laterality
                )
    onset = _date(res.get("onsetDateTime") or res.get("recordedDate"))
    if onset is None:
        raise Refused("no onsetDateTime or recordedDate: the diagnosis date is required here")
    clinical = (res.get("clinicalStatus", {}).get("coding") or [{}])[0].get("code", "active")
    verification = (res.get("verificationStatus", {}).get("coding") or [{}])[0].get(
        "code", "confirmed"
    )
    return onc.diagnosis_create(
        by=ctx.by,
        patient=patient,
        icd10_code=icd10,
        icdo3_topography=topography or "",
        icdo3_morphology=morphology or "",
        diagnosed_on=onset,
        laterality=laterality,
        is_primary="mcode-primary-cancer-condition" in profiles,
        clinical_status=clinical,
        verification_status=verification,
    )


def import_observation(res: dict[str, Any], ctx: ImportContext) -> Any:
    profiles = set(_profiles(res))
    when = _date(res.get("effectiveDateTime") or (res.get("effectivePeriod") or {}).get("start"))
    scales = {
        "mcode-ecog-performance-status": "ecog",
        "mcode-karnofsky-performance-status": "karnofsky",
        "mcode-lansky-play-performance-status": "lansky",
    }
    for profile, scale in scales.items():
        if profile in profiles:
            return onc.performance_record(
                patient=_patient_of(res, ctx),
                by=ctx.by,
                scale=scale,
                score=res.get("valueInteger", ""),
                observed_on=when or "",
            )
    if "mcode-cancer-disease-status" in profiles:
        status = None
        for c in res.get("valueCodeableConcept", {}).get("coding", []):
            status = tx.reverse("disease_status", c.get("system", ""), c.get("code", "")) or status
        if status is None:
            raise Refused("its value has no equivalent among OncoCenter's disease statuses")
        return onc.disease_status_record(
            diagnosis=_condition_of(res, ctx), by=ctx.by, status=status, observed_on=when or ""
        )
    if "mcode-tnm-stage-group" in profiles:
        members = {}
        for m in res.get("hasMember", []):
            member = ctx.examples.get(m.get("reference", ""))
            if member is None:
                raise Refused(f"its member {m.get('reference')} is not in the set imported")
            for axis, profile in R.AXES.items():
                if profile in _profiles(member):
                    try:
                        members[axis] = _ajcc(member.get("valueCodeableConcept"))
                    except Refused as exc:
                        raise Refused(f"member {m.get('reference')}: {exc}") from None
        if set(members) != {"T", "N", "M"}:
            raise Refused("T, N and M must all be given as hasMember Observations")
        classification = (
            "pathological" if all(v.startswith("p") for v in members.values()) else "clinical"
        )
        return onc.staging_record(
            diagnosis=_condition_of(res, ctx),
            by=ctx.by,
            classification=classification,
            t_category=members["T"].lstrip("cpy"),
            n_category=members["N"].lstrip("cpy"),
            m_category=members["M"].lstrip("cpy"),
            staged_on=when or "",
            stage_group=_ajcc(res.get("valueCodeableConcept")),
        )
    if profiles & set(R.AXES.values()):
        raise Refused(
            "a T, N or M category is imported with its stage group (hasMember), not alone"
        )
    if "mcode-tumor-marker-test" in profiles:
        marker = None
        for c in res.get("code", {}).get("coding", []):
            marker = tx.reverse("tumor_marker", c.get("system", ""), c.get("code", "")) or marker
        if marker is None:
            raise Refused(
                "a tumor marker OncoCenter does not keep (no LOINC code of its marker list)"
            )
        q = res.get("valueQuantity") or {}
        if "value" not in q:
            raise Refused("a tumor marker without valueQuantity")
        return onc.tumor_marker_record(
            patient=_patient_of(res, ctx),
            by=ctx.by,
            marker=marker,
            value=Decimal(str(q["value"])),
            unit=q.get("unit") or q.get("code", ""),
            observed_on=when or "",
        )
    if _is_lab(res):
        return _import_lab(res, ctx)
    if "mcode-body-surface-area" in profiles:
        raise Refused(
            "body surface area is computed here from height and weight (Mosteller) when a dose "
            "is calculated, not kept alone"
        )
    if _vital_kind(res) is not None:
        return _import_vital_sign(res, ctx)
    if "mcode-cancer-stage" in profiles:
        system = (res.get("code", {}).get("coding") or [{}])[0].get("display", "")
        raise Refused(
            f"a stage in a system other than AJCC TNM ({system or 'unnamed'}): OncoCenter "
            "stages with AJCC 8th edition TNM only"
        )
    names = ", ".join(sorted(profiles)) or "no profile"
    raise Refused(f"no home in OncoCenter for this Observation ({names})")


LAB_PROFILES = {
    f"{R.US_CORE}/us-core-observation-lab",
    f"{R.US_CORE}/us-core-observation-clinical-result",
}


def _is_lab(res: dict[str, Any]) -> bool:
    """A plain laboratory result: category laboratory, and no profile but a US Core lab one
    (genomics and other profiled laboratory Observations have no home in labs)."""
    if set(res.get("meta", {}).get("profile", [])) - LAB_PROFILES:
        return False
    return any(
        c.get("system") == R.OBS_CATEGORY and c.get("code") == "laboratory"
        for cat in res.get("category", [])
        for c in cat.get("coding", [])
    )


def _import_lab(res: dict[str, Any], ctx: ImportContext) -> Any:
    """A laboratory result with a LOINC code of the catalogue, through the labs service."""
    from oncocenter.labs.models import Analyte, ResultSource
    from oncocenter.labs.services import lab_result_record

    loinc = next(
        (
            c.get("code", "")
            for c in res.get("code", {}).get("coding", [])
            if c.get("system") == tx.LOINC
        ),
        "",
    )
    if not loinc:
        raise Refused("a laboratory Observation needs a LOINC code (code.coding)")
    if not Analyte.objects.filter(loinc=loinc).exists():
        display = next(
            (c.get("display", "") for c in res["code"]["coding"] if c.get("code") == loinc), ""
        )
        raise Refused(f"LOINC {loinc} ({display}) is not a test of the laboratory catalogue")
    q = res.get("valueQuantity")
    if "valueCodeableConcept" in res:
        raise Refused(
            "a coded finding (valueCodeableConcept) has no home in labs, which keeps numbers "
            "and text results"
        )
    if q is None and "valueString" not in res:
        raise Refused("a laboratory result needs valueQuantity or valueString (none given)")
    accession = next((i.get("value", "") for i in res.get("identifier", []) if i.get("value")), "")
    low = high = None
    for rng in res.get("referenceRange", [])[:1]:
        low = (rng.get("low") or {}).get("value")
        high = (rng.get("high") or {}).get("value")
    recorded = lab_result_record(
        patient=_patient_of(res, ctx),
        by=ctx.by,
        loinc=loinc,
        value=Decimal(str(q["value"])) if q and "value" in q else None,
        text_value=res.get("valueString", ""),
        unit=(q or {}).get("code") or (q or {}).get("unit", ""),
        collected_at=res.get("effectiveDateTime")
        or (res.get("effectivePeriod") or {}).get("start"),
        resulted_at=res.get("issued"),
        ref_low=Decimal(str(low)) if low is not None else None,
        ref_high=Decimal(str(high)) if high is not None else None,
        accession=accession[:40],
        source=ResultSource.FHIR,
    )
    return recorded.result


def _vital_kind(res: dict[str, Any]) -> vitals.Kind | None:
    """The vital sign an Observation is (by its LOINC code), when its category is vital-signs."""
    if not any(
        c.get("code") == "vital-signs"
        for cat in res.get("category", [])
        for c in cat.get("coding", [])
    ):
        return None
    for c in res.get("code", {}).get("coding", []):
        if c.get("system") == tx.LOINC and (kind := vitals.kind_of_loinc(c.get("code", ""))):
            return kind
    return None


def _import_vital_sign(res: dict[str, Any], ctx: ImportContext) -> Any:
    """One vital sign through `vital_signs_record` (a set of one), in the unit kept here."""
    kind = _vital_kind(res)
    assert kind is not None
    if kind.key == "bmi":
        raise Refused(
            "BMI is computed here from a weight and a height taken together, not kept alone"
        )
    effective = res.get("effectiveDateTime") or (res.get("effectivePeriod") or {}).get("start")
    if not effective:
        raise Refused("a vital sign needs effectiveDateTime")
    when: dt.date | dt.datetime
    if "T" in effective:
        when = dt.datetime.fromisoformat(effective.replace("Z", "+00:00"))
        if timezone.is_naive(when):
            raise Refused(f"effectiveDateTime {effective!r} has a time but no timezone offset")
    else:
        when = dt.date.fromisoformat(effective[:10])
    values: dict[str, Any] = {}
    try:
        if kind.key == "bp":
            parts = {
                c.get("code"): comp.get("valueQuantity") or {}
                for comp in res.get("component", [])
                for c in comp.get("code", {}).get("coding", [])
                if c.get("system") == tx.LOINC
            }
            for (code, _d), name in (
                (vitals.SYSTOLIC, "systolic_mmhg"),
                (vitals.DIASTOLIC, "diastolic_mmhg"),
            ):
                q = parts.get(code)
                if not q or "value" not in q:
                    raise Refused(f"a blood pressure needs the component {code} with valueQuantity")
                values[name] = vitals.to_kept_unit("bp", q["value"], q)
        else:
            q = res.get("valueQuantity") or {}
            if "value" not in q:
                raise Refused(f"{kind.loinc[0][1]} without valueQuantity")
            values[vitals.VITALS_FIELDS[kind.key]] = vitals.to_kept_unit(kind.key, q["value"], q)
    except vitals.UnitError as exc:
        raise Refused(str(exc)) from None
    record = onc.vital_signs_record(
        patient=_patient_of(res, ctx), by=ctx.by, measured_at=when, **values
    )
    return (record, kind.key)


NO_HOME = {
    "Procedure": "procedures are recorded here through their own workflows (an RT course from its "
    "prescriptions, plans and deliveries), not from a summary",
    "MedicationRequest": "chemotherapy orders are written, signed and verified here (systemic "
    "app, dose from the regimen and the patient's body surface area), not taken from outside",
    "MedicationAdministration": "a dose is recorded at the chair with a second checker "
    "against its verified order here (systemic app), not taken from outside",
    "Specimen": "a specimen is served here from the laboratory result measured on it; a "
    "specimen without its result has nowhere to be kept",
    "BodyStructure": "no body structure record in OncoCenter (tumor sites are coded on the diagnosis)",
    "DiagnosticReport": "no diagnostic report record in OncoCenter (workup results are free text)",
    "ServiceRequest": "workup orders are placed by staff here; an external request has no home yet",
    "FamilyMemberHistory": "no family history record in OncoCenter",
    "Organization": "the three centers are fixed reference data",
    "Practitioner": "staff accounts are created by administrators, with credentials",
    "Group": "no patient groups are kept",
    "Bundle": "import the resources of a bundle one by one",
}


def import_resource(res: dict[str, Any], ctx: ImportContext) -> ImportResult:
    rtype = res.get("resourceType", "")
    key = f"{rtype}/{res.get('id', '')}"
    try:
        with transaction.atomic():
            if rtype == "Patient":
                local: Any = import_patient(res, ctx)
                ctx.patients[key] = local
                ctx.local_ids[key] = f"Patient/{local.mrn}"
            elif rtype == "Condition":
                local = import_condition(res, ctx)
                ctx.conditions[key] = local
                ctx.local_ids[key] = f"Condition/{R.condition_id(local)}"
            elif rtype == "Observation":
                local = import_observation(res, ctx)
                ctx.local_ids[key] = _observation_local_id(local)
            else:
                raise Refused(NO_HOME.get(rtype, f"no home in OncoCenter for {rtype}"))
    except Refused as exc:
        return ImportResult(key, "refused", str(exc))
    except DomainError as exc:
        detail = (
            "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
            if isinstance(exc, ValidationFailed)
            else ""
        )
        return ImportResult(key, "refused", str(exc) if detail in str(exc) else f"{exc}: {detail}")
    return ImportResult(key, "imported", local=local)


def _observation_local_id(row: Any) -> str:
    if isinstance(row, tuple):  # a vital sign: the set and which of its measurements
        vital, kind_key = row
        return f"Observation/vitals-{vital.pk}-{kind_key}"
    name = type(row).__name__
    return {
        "PerformanceStatus": f"Observation/performance-{row.pk}",
        "DiseaseStatus": f"Observation/status-{row.pk}",
        "TnmStaging": f"Observation/tnm-{row.pk}",
        "TumorMarker": f"Observation/marker-{row.pk}",
        "LabResult": f"Observation/lab-{row.pk}",
    }[name]


def import_all(resources: list[dict[str, Any]], ctx: ImportContext) -> list[ImportResult]:
    """Import in dependency order (patients, conditions, observations, the rest)."""
    for r in resources:
        ctx.examples[f"{r.get('resourceType')}/{r.get('id')}"] = r
    ordered = sorted(resources, key=lambda r: ORDER.get(r.get("resourceType", ""), 9))
    return [import_resource(r, ctx) for r in ordered]


def _first_code(cc: dict[str, Any] | None) -> tuple[str, str]:
    coding = (cc or {}).get("coding") or [{}]
    return coding[0].get("system", ""), coding[0].get("code", "")


def round_trip_differences(original: dict[str, Any], exported: dict[str, Any]) -> list[str]:
    """The clinical facts of `original` that its export from OncoCenter does not say the same way."""
    diffs: list[str] = []

    def same(label: str, a: Any, b: Any) -> None:
        if a != b:
            diffs.append(f"{label}: {a!r} became {b!r}")

    rtype = original["resourceType"]
    if rtype == "Patient":
        same("gender", original.get("gender"), exported.get("gender"))
        same("birthDate", original.get("birthDate"), exported.get("birthDate"))
        fam = next((n.get("family") for n in original.get("name", []) if n.get("family")), None)
        same("family", fam, exported["name"][0].get("family"))
        ids = {(i.get("system"), i.get("value")) for i in exported.get("identifier", [])}
        for i in original.get("identifier", []):
            if (i.get("system"), i.get("value")) not in ids:
                diffs.append(f"identifier {i.get('system')}|{i.get('value')} lost")
    elif rtype == "Condition":
        same(
            "onset",
            (original.get("onsetDateTime") or original.get("recordedDate", ""))[:10],
            exported.get("onsetDateTime"),
        )
        same(
            "clinicalStatus",
            _first_code(original.get("clinicalStatus"))[1],
            _first_code(exported.get("clinicalStatus"))[1],
        )
        mapped = None
        for c in original.get("code", {}).get("coding", []):
            hit = (
                tx.coding("snomed_disorder_to_icd10", c.get("code", ""))
                if c.get("system") == tx.SNOMED
                else c
            )
            mapped = (hit or {}).get("code") or mapped
        same("code (through the concept map)", mapped, _first_code(exported.get("code"))[1])
    elif rtype == "Observation":
        effective = exported.get("effectiveDateTime") or ""
        if "T" in effective:  # a time (lab results): compared as the center's local date
            effective = timezone.localtime(dt.datetime.fromisoformat(effective)).date().isoformat()
        same("effective", (original.get("effectiveDateTime") or "")[:10], effective)
        if "valueInteger" in original:
            same("value", original["valueInteger"], exported.get("valueInteger"))
        elif "valueQuantity" in original:
            q = original["valueQuantity"]
            kind = _vital_kind(original)
            value = (
                vitals.to_kept_unit(kind.key, q["value"], q) if kind else Decimal(str(q["value"]))
            )
            # Kept to 0.1 here (kg, cm, Cel): a converted value agrees to that precision.
            same(
                "value",
                round(float(value), 1 if kind else 6),
                round(float(exported["valueQuantity"]["value"]), 1 if kind else 6),
            )
        elif "valueCodeableConcept" in original:
            o = _first_code(original["valueCodeableConcept"])
            e = [
                (c["system"], c["code"]) for c in exported["valueCodeableConcept"].get("coding", [])
            ]
            if "mcode-tnm-stage-group" in _profiles(original):
                same("stage group", _ajcc(original["valueCodeableConcept"]), e[0][1] if e else None)
            elif o not in e:
                diffs.append(f"value {o[0]}|{o[1]} became {e}")
    return diffs
