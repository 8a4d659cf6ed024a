"""Vital signs and specimens as FHIR resources (the builders; `server.py` declares the sources).

Body weight and height are measured in four places: the nurses' vital signs (`oncology`), the
dosing measurement of a chemotherapy order (`systemic`), the pediatric body measurement
(`pediatrics`) and the nutrition assessment (`nutrition`). Each is served as it was recorded, one
Observation per measurement with the FHIR R4 vital signs profile it meets (LOINC code, UCUM
unit, category `vital-signs`); none is copied into another table.

A specimen is not recorded here as such: the laboratory sends results, each with its collection
time. So each laboratory result gives one Specimen (`specimen-<result>`) whose type follows the
analyte's category (serum for chemistry and tumor markers, whole blood for hematology and HLA,
citrated plasma for coagulation, bone marrow), collected when the result says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from oncocenter.interop.fhir import resources as R
from oncocenter.interop.fhir import terminology as tx

VITALS_CATEGORY = {
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "vital-signs",
    "display": "Vital Signs",
}
PROFILE = "http://hl7.org/fhir/StructureDefinition"
UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Kind:
    """One vital sign: its LOINC code(s), UCUM unit and FHIR profile."""

    key: str  # id suffix: "vitals-4-hr"
    loinc: tuple[tuple[str, str], ...]  # (code, display), the first is the profile's
    unit: str  # UCUM code
    unit_display: str
    profile: str


KINDS = {
    k.key: k
    for k in (
        Kind(
            "bp",
            (("85354-9", "Blood pressure panel with all children optional"),),
            "mm[Hg]",
            "mmHg",
            "bp",
        ),
        Kind("hr", (("8867-4", "Heart rate"),), "/min", "beats/minute", "heartrate"),
        Kind("rr", (("9279-1", "Respiratory rate"),), "/min", "breaths/minute", "resprate"),
        Kind("temp", (("8310-5", "Body temperature"),), "Cel", "C", "bodytemp"),
        Kind(
            "spo2",
            (
                ("2708-6", "Oxygen saturation in Arterial blood"),
                ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
            ),
            "%",
            "%",
            "oxygensat",
        ),
        Kind("weight", (("29463-7", "Body weight"),), "kg", "kg", "bodyweight"),
        Kind("height", (("8302-2", "Body height"),), "cm", "cm", "bodyheight"),
        Kind("bmi", (("39156-5", "Body mass index (BMI) [Ratio]"),), "kg/m2", "kg/m2", "bmi"),
    )
}
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")

# The field of each table that holds a kind (None: the table does not keep it).
VITALS_FIELDS = {
    "bp": "systolic_mmhg",
    "hr": "heart_rate_bpm",
    "rr": "respiratory_rate",
    "temp": "temperature_c",
    "spo2": "spo2_percent",
    "weight": "weight_kg",
    "height": "height_cm",
    "bmi": "bmi",
}


def kind_of_loinc(code: str) -> Kind | None:
    for k in KINDS.values():
        if any(c == code for c, _d in k.loinc):
            return k
    return None


def _quantity(value: Decimal | int, kind: Kind) -> dict[str, Any]:
    number = value.normalize() if isinstance(value, Decimal) else value
    return {"value": R._num(number), "unit": kind.unit_display, "system": UCUM, "code": kind.unit}


def observation(
    *,
    rid: str,
    kind_key: str,
    patient_mrn: str,
    effective: dt.datetime | dt.date,
    updated_at: dt.datetime | None,
    value: Decimal | int | None = None,
    bp: tuple[int, int] | None = None,
    performer_id: int | None = None,
    note: str = "",
) -> dict[str, Any]:
    """One vital-signs Observation (a blood pressure carries its two values as components)."""
    kind = KINDS[kind_key]
    out: dict[str, Any] = {
        "resourceType": "Observation",
        "id": rid,
        "meta": R.meta(updated_at, f"{PROFILE}/{kind.profile}"),
        "status": "final",
        "category": [{"coding": [VITALS_CATEGORY], "text": "Vital Signs"}],
        "code": {
            "coding": [{"system": tx.LOINC, "code": c, "display": d} for c, d in kind.loinc],
            "text": kind.loinc[0][1],
        },
        "subject": R.ref("Patient", patient_mrn),
        "effectiveDateTime": effective.isoformat(),
    }
    if bp is not None:
        out["component"] = [
            {
                "code": {"coding": [{"system": tx.LOINC, "code": code, "display": display}]},
                "valueQuantity": _quantity(v, kind),
            }
            for (code, display), v in ((SYSTOLIC, bp[0]), (DIASTOLIC, bp[1]))
        ]
    else:
        assert value is not None
        out["valueQuantity"] = _quantity(value, kind)
    if performer_id:
        out["performer"] = [R.ref("Practitioner", str(performer_id))]
    if note:
        out["note"] = [{"text": note}]
    return out


# A nurse's set's status -> Observation.status. A corrected set is a new row (the record is
# append-only), hence a new Observation, `amended` (FHIR R4: "subsequent to being final, the
# observation has been modified"). The set it supersedes stays readable (read, vread, _history)
# but leaves `final`: R4 has no status for "replaced by another resource", and `final` would keep
# its mistyped value in every client's trend; `entered-in-error` ("withdrawn following previous
# final release") is the status that takes it out, and its note names the correction.
VITALS_STATUS = {
    "final": "final",
    "amended": "amended",
    "superseded": "entered-in-error",
    "entered-in-error": "entered-in-error",
}


def _correction_note(row: Any) -> str:
    if row.status == "superseded":
        new = getattr(row, "superseded_by", None)
        which = f" by vital signs set {new.pk}" if new is not None else ""
        return f"Superseded{which}: {row.correction_reason}"
    if row.status == "entered-in-error":
        return f"Entered in error: {row.correction_reason}"
    if row.supersedes_id:
        return f"Corrects vital signs set {row.supersedes_id}"
    return ""


def vital_signs(row: Any, kind_key: str) -> dict[str, Any]:
    """A measurement of a nurse's vital signs set (`oncology.VitalSigns`)."""
    bp = (row.systolic_mmhg, row.diastolic_mmhg) if kind_key == "bp" else None
    out = observation(
        rid=f"vitals-{row.pk}-{kind_key}",
        kind_key=kind_key,
        patient_mrn=row.patient.mrn,
        effective=(
            row.measured_at if row.time_known else timezone.localtime(row.measured_at).date()
        ),
        updated_at=row.updated_at,
        value=None if bp else getattr(row, VITALS_FIELDS[kind_key]),
        bp=bp,
        performer_id=row.recorded_by_id,
        note=_correction_note(row),
    )
    out["status"] = VITALS_STATUS.get(row.status, "unknown")
    return out


def measurement(row: Any, prefix: str, kind_key: str, note: str) -> dict[str, Any]:
    """Weight, height or BMI of a dosing, pediatric or nutrition measurement (by date)."""
    return observation(
        rid=f"{prefix}{row.pk}-{kind_key}",
        kind_key=kind_key,
        patient_mrn=row.patient.mrn,
        effective=row.measured_on,
        updated_at=row.updated_at,
        value=getattr(row, VITALS_FIELDS[kind_key]),
        performer_id=row.recorded_by_id,
        note=note,
    )


# --- Specimen ----------------------------------------------------------------------------------

SPECIMEN_TYPE = {  # analyte category -> SNOMED CT specimen
    "hematology": ("119297000", "Blood specimen"),
    "hla": ("119297000", "Blood specimen"),
    "chemistry": ("119364003", "Serum specimen"),
    "tumor_marker": ("119364003", "Serum specimen"),
    "coagulation": ("119361006", "Plasma specimen"),
    "bone_marrow": ("119359002", "Bone marrow specimen"),
}


def specimen_id(result_pk: int) -> str:
    return f"specimen-{result_pk}"


def specimen(r: Any) -> dict[str, Any]:
    """The specimen a laboratory result was measured on (`labs.LabResult`)."""
    code, display = SPECIMEN_TYPE[r.analyte.category]
    out: dict[str, Any] = {
        "resourceType": "Specimen",
        "id": specimen_id(r.pk),
        "meta": R.meta(r.updated_at),
        "type": {
            "coding": [{"system": tx.SNOMED, "code": code, "display": display}],
            "text": display,
        },
        "subject": R.ref("Patient", r.patient.mrn),
        "collection": {"collectedDateTime": r.collected_at.isoformat()},
        "note": [{"text": f"for {r.analyte.name} ({r.analyte.loinc})"}],
    }
    if r.status == "entered-in-error":
        out["status"] = "entered-in-error"
    if r.accession:
        out["accessionIdentifier"] = {"system": f"{R.LOCAL}:lab-accession", "value": r.accession}
    if r.order_id:
        out["request"] = [R.ref("ServiceRequest", f"laborder-{r.order_id}")]
    return out


# --- import: UCUM units another system may send, into the unit kept here ------------------------

CONVERT: dict[str, dict[str, tuple[Decimal, Decimal]]] = {  # kind -> UCUM -> (factor, offset)
    "weight": {
        "kg": (Decimal(1), Decimal(0)),
        "g": (Decimal("0.001"), Decimal(0)),
        "[lb_av]": (Decimal("0.45359237"), Decimal(0)),
    },
    "height": {
        "cm": (Decimal(1), Decimal(0)),
        "m": (Decimal(100), Decimal(0)),
        "[in_i]": (Decimal("2.54"), Decimal(0)),
    },
    "temp": {
        "Cel": (Decimal(1), Decimal(0)),
        "[degF]": (Decimal(5) / Decimal(9), Decimal(-32) * Decimal(5) / Decimal(9)),
    },
    "hr": {"/min": (Decimal(1), Decimal(0))},
    "rr": {"/min": (Decimal(1), Decimal(0))},
    "spo2": {"%": (Decimal(1), Decimal(0))},
    "bp": {"mm[Hg]": (Decimal(1), Decimal(0))},
}


class UnitError(ValueError):
    pass


def to_kept_unit(kind_key: str, value: Any, quantity: dict[str, Any]) -> Decimal:
    """`value` in the unit of `quantity` (its UCUM `code`) converted to the unit kept here."""
    units = CONVERT[kind_key]
    code = quantity.get("code") or ""
    if quantity.get("system", "http://unitsofmeasure.org") != UCUM or code not in units:
        raise UnitError(
            f"unit {code or quantity.get('unit')!r} of {KINDS[kind_key].loinc[0][1]} is not one "
            f"converted here (UCUM {', '.join(units)})"
        )
    factor, offset = units[code]
    return Decimal(str(value)) * factor + offset


# --- the FHIR R4 vital signs profiles' rules ---------------------------------------------------
# The core specification's profiles (http://hl7.org/fhir/R4/observation-vitalsigns.html) are not
# in the mCODE package the profile checker reads, and the core package is not published where this
# project can fetch it; their rules are few and fixed, so they are written here from the
# specification: category vital-signs, the profile's LOINC code, subject, effective[x], and a
# UCUM quantity in one of the profile's units (blood pressure: both components, mm[Hg]).
PROFILE_UNITS = {
    "bp": {"mm[Hg]"},
    "hr": {"/min"},
    "rr": {"/min"},
    "temp": {"Cel", "[degF]"},
    "spo2": {"%"},
    "weight": {"kg", "g", "[lb_av]"},
    "height": {"cm", "[in_i]"},
    "bmi": {"kg/m2"},
}


def profile_problems(res: dict[str, Any]) -> list[str]:
    """What `res` breaks of the vital signs profile it names (empty when none)."""
    kind = next(
        (
            k
            for k in KINDS.values()
            if f"{PROFILE}/{k.profile}" in res.get("meta", {}).get("profile", [])
        ),
        None,
    )
    if kind is None:
        return ["meta.profile names no FHIR vital signs profile"]
    problems = []
    if res.get("status") not in (
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    ):
        problems.append("status is missing or invalid")
    if not any(
        c.get("code") == "vital-signs" and c.get("system") == VITALS_CATEGORY["system"]
        for cat in res.get("category", [])
        for c in cat.get("coding", [])
    ):
        problems.append("category has no vital-signs coding")
    if not any(
        c.get("system") == tx.LOINC and c.get("code") == kind.loinc[0][0]
        for c in res.get("code", {}).get("coding", [])
    ):
        problems.append(f"code has no LOINC {kind.loinc[0][0]}")
    if "reference" not in res.get("subject", {}):
        problems.append("subject is missing")
    if not (res.get("effectiveDateTime") or res.get("effectivePeriod")):
        problems.append("effective[x] is missing")
    quantities = (
        [c.get("valueQuantity") or {} for c in res.get("component", [])]
        if kind.key == "bp"
        else [res.get("valueQuantity") or {}]
    )
    if kind.key == "bp":
        codes = {
            c.get("code")
            for comp in res.get("component", [])
            for c in comp.get("code", {}).get("coding", [])
        }
        if not {SYSTOLIC[0], DIASTOLIC[0]} <= codes:
            problems.append("component needs systolic 8480-6 and diastolic 8462-4")
    for q in quantities:
        if (
            "value" not in q
            or q.get("system") != UCUM
            or q.get("code") not in PROFILE_UNITS[kind.key]
        ):
            problems.append(
                f"valueQuantity needs a value in UCUM {sorted(PROFILE_UNITS[kind.key])}"
            )
    return problems
