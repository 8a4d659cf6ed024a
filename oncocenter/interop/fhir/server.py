"""The FHIR R4 server's read and search engine over OncoCenter's tables.

A resource type is served from one or more *sources*: a table, the resources a row becomes and
the search parameters it understands. Observations come from five tables (TNM stagings, which
give four Observations each, performance status, tumor markers, disease status), Procedures from
RT courses and other treatment episodes. A search runs one count and at most one fetch (plus its
prefetches) per source, whatever the number of rows, and pages across sources in a fixed order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from oncocenter.accounts.models import User
from oncocenter.clinics.models import Admission, Appointment
from oncocenter.followup.models import FollowUpPlan
from oncocenter.interop.fhir import resources as R
from oncocenter.interop.fhir import terminology as tx
from oncocenter.interop.fhir import vitals
from oncocenter.interop.fhir.params import (
    DateRange,
    ParamError,
    Token,
    parse_date,
    parse_reference,
    parse_token,
)
from oncocenter.labs.models import LabOrder, LabResult
from oncocenter.nutrition.models import NutritionRecord
from oncocenter.oncology.models import (
    Diagnosis,
    DiseaseStatus,
    DiseaseStatusCode,
    PerformanceStatus,
    TnmStaging,
    TreatmentEpisode,
    TumorMarker,
    TumorMarkerCode,
    VitalSigns,
)
from oncocenter.patients.models import Patient
from oncocenter.pediatrics.models import BodyMeasurement
from oncocenter.radiotherapy.models import Course, Prescription
from oncocenter.surgery.models import Operation
from oncocenter.surgery.models import Procedure as SurgeryProcedure
from oncocenter.systemic.models import Administration, DosingMeasurement, OrderDose

TokenFilter = Callable[[Token], Q | None]  # None: no row of this source can match
MAX_COUNT = 200
DEFAULT_COUNT = 50


@dataclass
class Source:
    resource_type: str
    prefix: str  # id prefix before the row's pk ("diagnosis-")
    suffix: str  # after the pk ("-t" for the T category Observation of a staging)
    permission: str
    queryset: Callable[[], QuerySet[Any]]
    build: Callable[[Any], dict[str, Any]]
    patient_path: str | None  # ORM path to the patient's MRN
    date_field: str | None = None
    tokens: dict[str, TokenFilter] = field(default_factory=dict)
    strings: dict[str, Callable[[str], Q]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)  # extra date parameters -> field
    patient_of: Callable[[Any], Any] = lambda row: None
    updated_field: str | None = "updated_at"  # what _lastUpdated filters on (None: no time kept)
    # Related rows whose save changes the resource too (a new staging changes the Condition's
    # `stage`): a version is stored when they are saved.
    follows: tuple[str, ...] = ()

    def rid(self, row: Any) -> str:
        return f"{self.prefix}{row.pk}{self.suffix}"

    def pk_of(self, rid: str) -> int | None:
        if not (rid.startswith(self.prefix) and rid.endswith(self.suffix)):
            return None
        body = rid[len(self.prefix) : len(rid) - len(self.suffix) if self.suffix else None]
        return int(body) if body.isdigit() else None


def _exact(field_name: str, system: str | None = None) -> TokenFilter:
    def f(t: Token) -> Q | None:
        if t.system is not None and system is not None and t.system != system:
            return None
        return Q(**{field_name: t.code})

    return f


def _fixed(codes: dict[tuple[str, str], Q]) -> TokenFilter:
    """Codes this source emits from a field value: (system, code) -> the rows that emit it."""

    def f(t: Token) -> Q | None:
        hits = [
            q
            for (system, code), q in codes.items()
            if code == t.code and t.system in (None, system)
        ]
        if not hits:
            return None
        out = hits[0]
        for q in hits[1:]:
            out |= q
        return out

    return f


def _mapped(
    map_name: str, field_name: str, values: Iterable[str], local_system: str = ""
) -> TokenFilter:
    table: dict[tuple[str, str], Q] = {}
    for v in values:
        c = tx.coding(map_name, v)
        if c:
            key = (c["system"], c["code"])
            table[key] = table[key] | Q(**{field_name: v}) if key in table else Q(**{field_name: v})
        if local_system:
            table[(local_system, v)] = Q(**{field_name: v})
    return _fixed(table)


OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"


def _category(code_for: dict[str, Q]) -> TokenFilter:
    return _fixed({(OBS_CAT, k): q for k, q in code_for.items()})


def _tnm_source(axis: str) -> Source:
    key = axis if axis else "group"
    codes = {}
    for cls in ("clinical", "pathological"):
        c = tx.coding("tnm_type", f"{cls}:{key}")
        assert c is not None
        codes[(c["system"], c["code"])] = Q(classification=cls)

    def build(s: TnmStaging) -> dict[str, Any]:
        index = {"": 0, "T": 1, "N": 2, "M": 3}[axis]
        return R.tnm_observations(s)[index]

    return Source(
        resource_type="Observation",
        prefix="tnm-",
        suffix=f"-{axis.lower()}" if axis else "",
        permission="oncology.view",
        queryset=lambda: TnmStaging.objects.select_related("diagnosis__patient"),
        build=build,
        patient_path="diagnosis__patient__mrn",
        date_field="staged_on",
        tokens={
            "code": _fixed(codes),
            "category": _category(
                {
                    "exam": Q(classification="clinical"),
                    "laboratory": Q(classification="pathological"),
                }
            ),
        },
        patient_of=lambda s: s.diagnosis.patient,
    )


def _any_of(*filters: TokenFilter) -> TokenFilter:
    """Rows any of the filters matches (a code that may be in one system or another)."""

    def f(t: Token) -> Q | None:
        hits = [q for q in (flt(t) for flt in filters) if q is not None]
        if not hits:
            return None
        out = hits[0]
        for q in hits[1:]:
            out |= q
        return out

    return f


def _icd10cm_codes() -> TokenFilter:
    """The ICD-10-CM code a diagnosis exports (`tx.coding_for_side`): the side-specific code
    where the map has one for its laterality, else the code's own target."""
    table: dict[tuple[str, str], Q] = {}
    for local in tx.local_codes(tx.ICD10CM_MAP):
        hit = tx.coding(tx.ICD10CM_MAP, local)
        if hit is None:
            continue
        sides = tx.sides(tx.ICD10CM_MAP, local)
        plain = Q(icd10_code=local) & ~Q(laterality__in=list(sides))
        key = (hit["system"], hit["code"])
        table[key] = table[key] | plain if key in table else plain
        for side, code in sides.items():
            table[(hit["system"], code)] = Q(icd10_code=local, laterality=side)
    return _fixed(table)


def _with_stage_time(qs: QuerySet[Diagnosis]) -> QuerySet[Diagnosis]:
    """The Condition's modification time: the newest of the diagnosis and its stagings (it names
    its latest stage), so `_lastUpdated` agrees with `meta.lastUpdated`."""
    newest_staging = (
        TnmStaging.objects.filter(diagnosis=OuterRef("pk"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    return qs.annotate(
        fhir_updated_at=Greatest("updated_at", Coalesce(Subquery(newest_staging), "updated_at"))
    )


def _primary_prefetch() -> Prefetch:
    return Prefetch(
        "patient__diagnoses",
        queryset=Diagnosis.objects.filter(is_primary=True).order_by("diagnosed_on", "pk"),
        to_attr="primaries",
    )


def _condition(d: Diagnosis) -> dict[str, Any]:
    primaries = [p for p in getattr(d.patient, "primaries", []) if p.pk != d.pk]
    return R.condition(
        d, primary=primaries[0] if primaries else None, stagings=list(d.stagings.all())
    )


def _course(c: Course) -> dict[str, Any]:
    return R.rt_course_summary(
        c, [rx for rx in c.prescriptions.all() if rx.status != "entered-in-error"]
    )


def _name_q(value: str) -> Q:
    v = value.strip().lower()
    return Q(name_en_search__contains=v) | Q(name_ko__contains=value.strip())


def _identifier(t: Token) -> Q | None:
    if t.system == R.MRN_SYSTEM:
        return Q(mrn=t.code)
    if t.system:
        return Q(identifiers__authority=R.authority_of(t.system), identifiers__value=t.code)
    return Q(mrn=t.code) | Q(identifiers__value=t.code)


def _practitioner(u: User) -> dict[str, Any]:
    return R.practitioner(u)


APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked-in": "checked-in",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no-show": "noshow",
    "rescheduled": "cancelled",
    "entered-in-error": "entered-in-error",
}


def _appointment(a: Appointment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": f"appointment-{a.pk}",
        "meta": R.meta(a.updated_at),
        "status": APPOINTMENT_STATUS.get(a.status, "proposed"),
        "start": a.starts_at.isoformat(),
        "participant": [
            {"actor": R.ref("Patient", a.patient.mrn), "status": "accepted"},
            {"actor": R.ref("Practitioner", str(a.session.physician_id)), "status": "accepted"},
        ],
        "end": a.slot.ends_at.isoformat(),
    }
    if a.reason:
        out["description"] = a.reason
    return out


ENCOUNTER_STATUS = {
    "admitted": "in-progress",
    "discharged": "finished",
    "entered-in-error": "entered-in-error",
}


def _encounter(a: Admission) -> dict[str, Any]:
    """An admission to one of the center's wards as an inpatient Encounter."""
    period = {"start": a.admitted_at.isoformat()}
    if a.discharged_at:
        period["end"] = a.discharged_at.isoformat()
    out: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": f"admission-{a.pk}",
        "meta": R.meta(a.updated_at),
        "status": ENCOUNTER_STATUS.get(a.status, "unknown"),
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "IMP",
            "display": "inpatient encounter",
        },
        "subject": R.ref("Patient", a.patient.mrn),
        "period": period,
        "location": [{"location": {"display": f"{a.bed.ward.name} {a.bed.code}"}}],
    }
    if a.reason:
        out["reasonCode"] = [{"text": a.reason}]
    return out


CAREPLAN_STATUS = {"active": "active", "stopped": "revoked", "entered-in-error": "entered-in-error"}


def _careplan(p: FollowUpPlan) -> dict[str, Any]:
    """A follow-up plan (survivorship protocol from the end of treatment) as a CarePlan."""
    return {
        "resourceType": "CarePlan",
        "id": f"followup-{p.pk}",
        "meta": R.meta(p.updated_at),
        "status": CAREPLAN_STATUS.get(p.status, "unknown"),
        "intent": "plan",
        "category": [{"text": "follow-up"}],
        "title": p.template.name_en,
        "subject": R.ref("Patient", p.patient.mrn),
        "period": {"start": p.treatment_end.isoformat()},
        "instantiatesUri": [f"{R.LOCAL}:followup-protocol:{p.template.code}:{p.template_version}"],
    }


INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
LAB_FLAG = {
    "normal": ("N", "Normal"),
    "low": ("L", "Low"),
    "high": ("H", "High"),
    "critical_low": ("LL", "Critical low"),
    "critical_high": ("HH", "Critical high"),
}
LAB_STATUS = {
    "final": "final",
    "corrected": "corrected",
    "superseded": "amended",
    "entered-in-error": "entered-in-error",
}


def _lab_result(r: LabResult) -> dict[str, Any]:
    """A laboratory result (labs app) as a laboratory Observation: LOINC, UCUM, range, flag."""
    out: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"lab-{r.pk}",
        "meta": R.meta(r.updated_at),
        "status": LAB_STATUS.get(r.status, "unknown"),
        "category": [{"coding": [{"system": OBS_CAT, "code": "laboratory"}]}],
        "code": {
            "coding": [{"system": tx.LOINC, "code": r.analyte.loinc, "display": r.analyte.name}],
            "text": r.analyte.name,
        },
        "subject": R.ref("Patient", r.patient.mrn),
        "effectiveDateTime": r.collected_at.isoformat(),
        "issued": r.resulted_at.isoformat(),
    }
    if r.value is not None:
        out["valueQuantity"] = {
            "value": R._num(r.value.normalize()),
            "unit": r.analyte.unit,
            "system": "http://unitsofmeasure.org",
            "code": r.analyte.unit,
        }
        code, display = LAB_FLAG.get(r.flag, ("N", "Normal"))
        out["interpretation"] = [
            {"coding": [{"system": INTERPRETATION, "code": code, "display": display}]}
        ]
        bound = {
            k: {
                "value": R._num(v.normalize()),
                "unit": r.analyte.unit,
                "system": "http://unitsofmeasure.org",
                "code": r.analyte.unit,
            }
            for k, v in (("low", r.ref_low), ("high", r.ref_high))
            if v is not None
        }
        if bound:
            out["referenceRange"] = [bound]
    else:
        out["valueString"] = r.text_value
    if r.accession:
        out["identifier"] = [{"system": f"{R.LOCAL}:lab-accession", "value": r.accession}]
    out["specimen"] = R.ref("Specimen", vitals.specimen_id(r.pk))
    if r.replaces_id:
        out["derivedFrom"] = [R.ref("Observation", f"lab-{r.replaces_id}")]
    return out


SURGICAL_PROCEDURE = {"system": tx.SNOMED, "code": "387713003", "display": "Surgical procedure"}


def _operation(op: Operation) -> dict[str, Any]:
    """An operation (surgery app) as a completed surgical Procedure. The operation itself is a
    local code: no SNOMED CT concept is mapped for it yet, so no mCODE profile is claimed."""
    label = str(op.get_procedure_display())
    out: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": f"surgery-{op.pk}",
        "meta": R.meta(op.updated_at),
        "status": "completed",
        "category": {"coding": [SURGICAL_PROCEDURE]},
        "code": {
            "coding": [{"system": f"{R.LOCAL}:surgery-procedure", "code": op.procedure}],
            "text": label,
        },
        "subject": R.ref("Patient", op.patient.mrn),
        "performedDateTime": op.operated_on.isoformat(),
        "reasonReference": [R.ref("Condition", f"diagnosis-{op.diagnosis_id}")],
        "note": [
            {
                "text": f"approach: {op.get_approach_display()}; "
                f"residual tumor: {op.residual_tumor}; duration {op.duration_min} min"
            }
        ],
    }
    if op.surgeon_id:
        out["performer"] = [{"actor": R.ref("Practitioner", str(op.surgeon_id))}]
    complications = [str(c.get_kind_display()) for c in op.complications.all()]
    if complications:
        out["complication"] = [{"text": c} for c in complications]
    return out


LAB_PROCEDURE = {"system": tx.SNOMED, "code": "108252007", "display": "Laboratory procedure"}
SERVICE_STATUS = {
    "ordered": "active",
    "partial": "active",
    "resulted": "completed",
    "cancelled": "revoked",
}
REPORT_STATUS = {"partial": "partial", "resulted": "final", "cancelled": "cancelled"}


def _lab_tests(o: LabOrder) -> list[dict[str, Any]]:
    return [
        {"coding": [{"system": tx.LOINC, "code": a.loinc, "display": a.name}], "text": a.name}
        for a in o.analytes.all()
    ]


def _service_request(o: LabOrder) -> dict[str, Any]:
    """A laboratory order (labs app): the tests ordered, by whom and when."""
    tests = _lab_tests(o)
    out: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": f"laborder-{o.pk}",
        "meta": R.meta(o.updated_at),
        "status": SERVICE_STATUS.get(o.status, "unknown"),
        "intent": "order",
        "category": [{"coding": [LAB_PROCEDURE]}],
        # One order may hold several tests: the order is named by their list, each test is an
        # orderDetail with its LOINC code.
        "code": {"text": ", ".join(t["text"] for t in tests)},
        "orderDetail": tests,
        "subject": R.ref("Patient", o.patient.mrn),
        "authoredOn": o.ordered_at.isoformat(),
        "requester": R.ref("Practitioner", str(o.ordered_by_id)),
    }
    if o.accession:
        out["requisition"] = {"system": f"{R.LOCAL}:lab-accession", "value": o.accession}
    if o.note:
        out["note"] = [{"text": o.note}]
    return out


def _diagnostic_report(o: LabOrder) -> dict[str, Any]:
    """The results of a laboratory order as a DiagnosticReport (orders with a result only)."""
    results = [r for r in o.results.all() if r.status != "superseded"]
    issued = max((r.resulted_at for r in results), default=o.updated_at)
    collected = min((r.collected_at for r in results), default=o.ordered_at)
    return {
        "resourceType": "DiagnosticReport",
        "id": f"labreport-{o.pk}",
        "meta": R.meta(o.updated_at),
        "basedOn": [R.ref("ServiceRequest", f"laborder-{o.pk}")],
        "status": REPORT_STATUS.get(o.status, "partial"),
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}]}
        ],
        "code": {"text": ", ".join(t["text"] for t in _lab_tests(o))},
        "subject": R.ref("Patient", o.patient.mrn),
        "effectiveDateTime": collected.isoformat(),
        "issued": issued.isoformat(),
        "result": [R.ref("Observation", f"lab-{r.pk}") for r in results],
    }


DRUG_SYSTEM = f"{R.LOCAL}:drug"
ROUTE = {  # SNOMED CT route of administration
    "iv": ("47625008", "Intravenous route"),
    "po": ("26643006", "Oral route"),
    "it": ("72607000", "Intrathecal route"),
    "sc": ("34206005", "Subcutaneous route"),
    "im": ("78421000", "Intramuscular route"),
}
MEDREQ_STATUS = {
    "draft": "draft",
    "signed": "active",
    "verified": "active",
    "completed": "completed",
    "cancelled": "cancelled",
}


def _drug(name: str) -> dict[str, Any]:
    return {"coding": [{"system": DRUG_SYSTEM, "code": name}], "text": name}


def _route(code: str) -> dict[str, Any]:
    snomed, display = ROUTE.get(code, ("", code))
    coding = [{"system": tx.SNOMED, "code": snomed, "display": display}] if snomed else []
    return {"coding": coding, "text": display}


def _mg(value: Any) -> dict[str, Any]:
    return {
        "value": R._num(value.normalize()),
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }


def _medication_request(d: OrderDose) -> dict[str, Any]:
    """One ordered dose (drug, day of the cycle) of a systemic therapy order."""
    o = d.order
    out: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": f"sysdose-{d.pk}",
        "meta": R.meta(o.updated_at),
        "status": MEDREQ_STATUS.get(o.status, "unknown"),
        "intent": "order",
        "category": [{"text": "chemotherapy"}],
        "medicationCodeableConcept": _drug(d.drug.drug),
        "subject": R.ref("Patient", o.patient.mrn),
        "authoredOn": o.created_at.isoformat(),
        "requester": R.ref("Practitioner", str(o.signed_by_id or o.ordered_by_id)),
        "reasonReference": [R.ref("Condition", f"diagnosis-{o.diagnosis_id}")],
        "groupIdentifier": {"system": f"{R.LOCAL}:systemic-order", "value": str(o.pk)},
        "note": [{"text": f"{o.regimen.name} cycle {o.cycle} day {d.day}: {d.formula}"}],
        "dosageInstruction": [
            {
                "sequence": d.day,
                "timing": {"event": [d.on.isoformat()]},
                "route": _route(d.drug.route),
                "doseAndRate": [{"doseQuantity": _mg(d.planned_mg)}],
            }
        ],
    }
    if o.status == "cancelled" and o.cancel_reason:
        out["statusReason"] = {"text": o.cancel_reason}
    return out


def _medication_administration(a: Administration) -> dict[str, Any]:
    """A dose given at the chair (append-only), with the request it fulfils."""
    d = a.dose
    dosage: dict[str, Any] = {"route": _route(a.route), "dose": _mg(a.given_mg)}
    if a.rate_ml_h is not None:
        dosage["rateQuantity"] = {
            "value": R._num(a.rate_ml_h.normalize()),
            "unit": "mL/h",
            "system": "http://unitsofmeasure.org",
            "code": "mL/h",
        }
    out: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": f"sysadmin-{a.pk}",
        "meta": R.meta(a.recorded_at),
        "status": "completed",
        "category": {"text": "chemotherapy"},
        "medicationCodeableConcept": _drug(d.drug.drug),
        "subject": R.ref("Patient", d.order.patient.mrn),
        "effectivePeriod": {"start": a.started_at.isoformat(), "end": a.stopped_at.isoformat()},
        "performer": [
            {"actor": R.ref("Practitioner", str(a.nurse_id))},
            {
                "function": {"text": "second checker"},
                "actor": R.ref("Practitioner", str(a.checker_id)),
            },
        ],
        "request": R.ref("MedicationRequest", f"sysdose-{d.pk}"),
        "reasonReference": [R.ref("Condition", f"diagnosis-{d.order.diagnosis_id}")],
        "dosage": dosage,
    }
    if a.reaction:
        out["note"] = [{"text": f"infusion reaction: {a.reaction} (grade {a.reaction_grade})"}]
    return out


def _of_patient(row: Any) -> Any:
    return row.patient


def _status_in(mapping: dict[str, str], field_name: str = "status") -> TokenFilter:
    """A FHIR status token -> the local statuses that export as it (`mapping`: local -> FHIR)."""
    return lambda t: Q(**{f"{field_name}__in": [k for k, v in mapping.items() if v == t.code]})


def _source(
    resource_type: str,
    prefix: str,
    permission: str,
    queryset: Callable[[], QuerySet[Any]],
    build: Callable[[Any], dict[str, Any]],
    *,
    date_field: str | None = None,
    tokens: dict[str, TokenFilter] | None = None,
    suffix: str = "",
    **extra: Any,
) -> Source:
    """A source whose rows belong to a patient through `patient` (the common case)."""
    extra.setdefault("patient_path", "patient__mrn")
    extra.setdefault("patient_of", _of_patient)
    return Source(
        resource_type=resource_type,
        prefix=prefix,
        suffix=suffix,
        permission=permission,
        queryset=queryset,
        build=build,
        date_field=date_field,
        tokens=tokens or {},
        **extra,
    )


VITALS_TOKENS = {"category": _category({"vital-signs": Q()})}


def _vital_source(
    model: type[Model],
    prefix: str,
    permission: str,
    kind_key: str,
    *,
    status: TokenFilter | None = None,
    **kwargs: Any,
) -> Source:
    """One kind of vital sign (`vitals.KINDS`) kept in a column of `model`: its rows with a value.
    `status`: the Observation.status search token, for a table whose rows have one."""
    column = vitals.VITALS_FIELDS[kind_key]
    kind = vitals.KINDS[kind_key]
    related = ["patient"]
    if any(f.name == "superseded_by" for f in model._meta.get_fields()):
        related.append("superseded_by")  # its note names the correction
    return _source(
        "Observation",
        prefix,
        permission,
        lambda: model._default_manager.filter(**{f"{column}__isnull": False}).select_related(
            *related
        ),
        suffix=f"-{kind_key}",
        tokens={
            **VITALS_TOKENS,
            "code": _fixed({(tx.LOINC, code): Q() for code, _d in kind.loinc}),
            **({"status": status} if status is not None else {}),
        },
        **kwargs,
    )


def _measurement_sources(
    model: type[Model], prefix: str, permission: str, kinds: tuple[str, ...], note: str
) -> list[Source]:
    """Weight, height (and BMI) of a table that measures by date (dosing, pediatric, nutrition)."""
    return [
        _vital_source(
            model,
            prefix,
            permission,
            k,
            date_field="measured_on",
            build=lambda row, k=k: vitals.measurement(row, prefix, k, note),
        )
        for k in kinds
    ]


SOURCES: dict[str, list[Source]] = {
    "Patient": [
        _source(
            "Patient",
            "",
            "patient.view",
            lambda: Patient.objects.prefetch_related("identifiers"),
            lambda p: R.patient(p, list(p.identifiers.all())),
            patient_path="mrn",
            tokens={"identifier": _identifier, "gender": _exact("sex")},
            strings={
                "name": _name_q,
                "family": lambda v: Q(family_name_en__istartswith=v.strip()),
                "given": lambda v: Q(given_name_en__icontains=v.strip()),
            },
            dates={"birthdate": "birth_date"},
            patient_of=lambda p: p,
        )
    ],
    "Condition": [
        _source(
            "Condition",
            "diagnosis-",
            "oncology.view",
            lambda: _with_stage_time(Diagnosis.objects.select_related("patient")).prefetch_related(
                Prefetch(
                    "stagings",
                    queryset=TnmStaging.objects.order_by("staged_on", "pk").select_related(
                        "diagnosis__patient"
                    ),
                ),
                _primary_prefetch(),
            ),
            _condition,
            date_field="diagnosed_on",
            tokens={
                "code": _any_of(_exact("icd10_code", tx.ICD10), _icd10cm_codes()),
                "clinical-status": _exact("clinical_status"),
                "verification-status": _exact("verification_status"),
            },
            dates={"onset-date": "diagnosed_on"},
            follows=("stagings",),
            updated_field="fhir_updated_at",
        )
    ],
    "Observation": [
        _tnm_source(""),
        _tnm_source("T"),
        _tnm_source("N"),
        _tnm_source("M"),
        _source(
            "Observation",
            "performance-",
            "oncology.view",
            lambda: PerformanceStatus.objects.select_related("patient"),
            R.performance,
            date_field="observed_on",
            tokens={
                "code": _mapped("performance_scale", "scale", ("ecog", "karnofsky", "lansky")),
                "category": _category({"survey": Q()}),
            },
        ),
        _source(
            "Observation",
            "marker-",
            "oncology.view",
            lambda: TumorMarker.objects.select_related("patient"),
            R.tumor_marker,
            date_field="observed_on",
            tokens={
                "code": _mapped(
                    "tumor_marker",
                    "marker",
                    TumorMarkerCode.values,
                    local_system=f"{R.LOCAL}:tumor-marker",
                ),
                "category": _category({"laboratory": Q()}),
            },
        ),
        _source(
            "Observation",
            "status-",
            "oncology.view",
            lambda: DiseaseStatus.objects.select_related("patient"),
            R.disease_status,
            date_field="observed_on",
            tokens={
                "code": _fixed({(tx.LOINC, "97509-4"): Q()}),
                "category": _category({"exam": Q()}),
                "value-concept": _mapped(
                    "disease_status",
                    "status",
                    DiseaseStatusCode.values,
                    local_system=f"{R.LOCAL}:disease-status",
                ),
            },
        ),
        _source(
            "Observation",
            "lab-",
            "lab.view",
            lambda: LabResult.objects.select_related("patient", "analyte"),
            _lab_result,
            date_field="collected_at",
            tokens={
                "code": _exact("analyte__loinc", tx.LOINC),
                "category": _category({"laboratory": Q()}),
                "status": _status_in(LAB_STATUS),
            },
        ),
        *(
            _vital_source(
                VitalSigns,
                "vitals-",
                "oncology.view",
                k,
                date_field="measured_at",
                build=lambda row, k=k: vitals.vital_signs(row, k),
                status=_status_in(vitals.VITALS_STATUS),
            )
            for k in vitals.KINDS
        ),
        *_measurement_sources(
            DosingMeasurement,
            "dosing-",
            "systemic.view",
            ("weight", "height"),
            "measured for chemotherapy dosing",
        ),
        *_measurement_sources(
            BodyMeasurement,
            "bodymeasure-",
            "pediatric.view",
            ("weight", "height"),
            "pediatric body measurement",
        ),
        *_measurement_sources(
            NutritionRecord,
            "nutrition-",
            "nutrition.view",
            ("weight", "height", "bmi"),
            "nutrition assessment",
        ),
    ],
    "Specimen": [
        _source(
            "Specimen",
            "specimen-",
            "lab.view",
            lambda: LabResult.objects.select_related("patient", "analyte"),
            vitals.specimen,
            tokens={
                "type": lambda t: (
                    Q(
                        analyte__category__in=[
                            cat
                            for cat, (code, _d) in vitals.SPECIMEN_TYPE.items()
                            if code == t.code
                        ]
                    )
                    if t.system in (None, tx.SNOMED)
                    else None
                ),
                "accession": _exact("accession"),
            },
            dates={"collected": "collected_at"},
        )
    ],
    "Procedure": [
        _source(
            "Procedure",
            "rtcourse-",
            "rt.view",
            lambda: Course.objects.select_related("patient").prefetch_related(
                Prefetch("prescriptions", queryset=Prescription.objects.order_by("pk"))
            ),
            _course,
            date_field="started_on",
            tokens={
                "code": _fixed({(tx.SNOMED, "1217123003"): Q()}),
                "status": _status_in(R.COURSE_STATUS),
            },
        ),
        _source(
            "Procedure",
            "surgery-",
            "surgery.view",
            lambda: Operation.objects.select_related("patient").prefetch_related("complications"),
            _operation,
            date_field="operated_on",
            tokens={
                "code": _fixed(
                    {
                        (f"{R.LOCAL}:surgery-procedure", code): Q(procedure=code)
                        for code in SurgeryProcedure.values
                    }
                ),
                "category": _fixed({(tx.SNOMED, "387713003"): Q()}),
                "status": lambda t: Q() if t.code == "completed" else None,
            },
        ),
        _source(
            "Procedure",
            "treatment-",
            "oncology.view",
            # An RT course is served as its course summary and an operation as its surgical
            # Procedure; their episodes would repeat them.
            lambda: (
                TreatmentEpisode.objects.select_related("patient")
                .exclude(modality="radiotherapy")
                .filter(operation__isnull=True)
            ),
            R.treatment_episode,
            date_field="started_on",
            tokens={
                "code": _exact("modality", f"{R.LOCAL}:treatment-modality"),
                "status": lambda t: (
                    Q(ended_on__isnull=t.code != "completed")
                    if t.code in ("completed", "in-progress")
                    else None
                ),
            },
        ),
    ],
    "MedicationRequest": [
        _source(
            "MedicationRequest",
            "sysdose-",
            "systemic.view",
            lambda: OrderDose.objects.select_related("order__patient", "order__regimen", "drug"),
            _medication_request,
            patient_path="order__patient__mrn",
            tokens={
                "code": _exact("drug__drug", DRUG_SYSTEM),
                "status": _status_in(MEDREQ_STATUS, "order__status"),
                "intent": _fixed(
                    {("http://hl7.org/fhir/CodeSystem/medicationrequest-intent", "order"): Q()}
                ),
            },
            dates={"authoredon": "order__created_at"},
            patient_of=lambda x: x.order.patient,
            updated_field="order__updated_at",
        )
    ],
    "MedicationAdministration": [
        _source(
            "MedicationAdministration",
            "sysadmin-",
            "systemic.view",
            lambda: Administration.objects.select_related("dose__order__patient", "dose__drug"),
            _medication_administration,
            patient_path="dose__order__patient__mrn",
            tokens={
                "code": _exact("dose__drug__drug", DRUG_SYSTEM),
                "status": _fixed(
                    {("http://hl7.org/fhir/CodeSystem/medication-admin-status", "completed"): Q()}
                ),
            },
            dates={"effective-time": "started_at"},
            patient_of=lambda x: x.dose.order.patient,
            updated_field="recorded_at",
        )
    ],
    "ServiceRequest": [
        _source(
            "ServiceRequest",
            "laborder-",
            "lab.view",
            lambda: LabOrder.objects.select_related("patient").prefetch_related("analytes"),
            _service_request,
            tokens={
                "code": _exact("analytes__loinc", tx.LOINC),
                "status": _status_in(SERVICE_STATUS),
                "category": _fixed({(tx.SNOMED, "108252007"): Q()}),
            },
            dates={"authored": "ordered_at"},
        )
    ],
    "DiagnosticReport": [
        _source(
            "DiagnosticReport",
            "labreport-",
            "lab.view",
            lambda: (
                LabOrder.objects.filter(results__isnull=False)
                .distinct()
                .select_related("patient")
                .prefetch_related("analytes", "results")
            ),
            _diagnostic_report,
            date_field="ordered_at",
            tokens={
                "status": _status_in(REPORT_STATUS),
                "category": _fixed({("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB"): Q()}),
            },
        )
    ],
    "Appointment": [
        _source(
            "Appointment",
            "appointment-",
            "clinic.view",
            lambda: Appointment.objects.select_related("patient", "session", "slot"),
            _appointment,
            date_field="starts_at",
            tokens={"status": _status_in(APPOINTMENT_STATUS)},
        )
    ],
    "Encounter": [
        _source(
            "Encounter",
            "admission-",
            "admission.view",
            lambda: Admission.objects.select_related("patient", "bed__ward"),
            _encounter,
            date_field="admitted_at",
            tokens={
                "status": _status_in(ENCOUNTER_STATUS),
                "class": _fixed({("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP"): Q()}),
            },
        )
    ],
    "CarePlan": [
        _source(
            "CarePlan",
            "followup-",
            "followup.view",
            lambda: FollowUpPlan.objects.select_related("patient", "template"),
            _careplan,
            date_field="treatment_end",
            tokens={"status": _status_in(CAREPLAN_STATUS)},
        )
    ],
    "Practitioner": [
        _source(
            "Practitioner",
            "",
            "patient.view",
            lambda: User.objects.all(),
            _practitioner,
            patient_path=None,
            patient_of=lambda row: None,
            updated_field=None,
            strings={
                "name": lambda v: (
                    Q(last_name__icontains=v)
                    | Q(first_name__icontains=v)
                    | Q(username__icontains=v)
                )
            },
        )
    ],
}

COMMON = {
    "_id",
    "_lastUpdated",
    "_count",
    "_offset",
    "_include",
    "_revinclude",
    "_format",
    "_pretty",
    "_total",
}
REFERENCE_PARAMS = ("patient", "subject")
INCLUDES = {
    "Condition": {"Condition:subject", "Condition:patient"},
    "Observation": {
        "Observation:subject",
        "Observation:patient",
        "Observation:has-member",
        "Observation:focus",
    },
    "Procedure": {"Procedure:subject", "Procedure:patient"},
    "Appointment": {"Appointment:patient", "Appointment:actor"},
    "Encounter": {"Encounter:subject", "Encounter:patient"},
    "CarePlan": {"CarePlan:subject", "CarePlan:patient"},
    "Specimen": {"Specimen:subject", "Specimen:patient"},
    "ServiceRequest": {"ServiceRequest:subject", "ServiceRequest:patient"},
    "DiagnosticReport": {"DiagnosticReport:subject", "DiagnosticReport:patient"},
    "MedicationRequest": {"MedicationRequest:subject", "MedicationRequest:patient"},
    "MedicationAdministration": {
        "MedicationAdministration:subject",
        "MedicationAdministration:patient",
    },
}


REVINCLUDE_MAX = 1000  # resources brought in per _revinclude on one page


def revincludes_of(resource_type: str) -> list[str]:
    """`_revinclude` values served: on Patient, every type that points to its patient."""
    if resource_type != "Patient":
        return []
    out = []
    for rtype, sources in SOURCES.items():
        if rtype != "Patient" and all(s.patient_path for s in sources):
            out += [f"{rtype}:patient", f"{rtype}:subject"]
    return sorted(out)


def revinclude_types(resource_type: str, values: list[str]) -> list[str]:
    allowed = revincludes_of(resource_type)
    types: list[str] = []
    for value in values:
        if value not in allowed:
            raise ParamError(
                f"_revinclude: {value!r} is not supported on {resource_type} "
                f"(supported: {', '.join(allowed) or 'none'})"
            )
        rtype = value.partition(":")[0]
        if rtype not in types:
            types.append(rtype)
    return types


def revincluded(mrns: list[str], sources: list[Source]) -> list[dict[str, Any]]:
    """The resources of `sources` that point to one of the patients: one query per source."""
    out: list[dict[str, Any]] = []
    if not mrns:
        return out
    for source in sources:
        assert source.patient_path is not None
        qs = source.queryset().filter(**{f"{source.patient_path}__in": mrns}).order_by("pk")
        out.extend(source.build(row) for row in qs[:REVINCLUDE_MAX])
    return out


def supported_params(resource_type: str) -> dict[str, str]:
    """Search parameter -> FHIR type, the union over the type's sources (for the CapabilityStatement)."""
    out: dict[str, str] = {"_id": "token"}
    if all(s.updated_field for s in SOURCES[resource_type]):
        out["_lastUpdated"] = "date"
    for s in SOURCES[resource_type]:
        if s.patient_path and resource_type != "Patient":
            out["patient"] = "reference"
            out["subject"] = "reference"
        if s.date_field:
            out["date"] = "date"
        out.update(dict.fromkeys(s.tokens, "token"))
        out.update(dict.fromkeys(s.strings, "string"))
        out.update(dict.fromkeys(s.dates, "date"))
    return out


def _is_date_field(model: type[Model], path: str) -> bool:
    """Whether the field at an ORM path is a DateField (else a DateTimeField)."""
    *hops, last = path.split("__")
    for hop in hops:
        related = model._meta.get_field(hop).related_model
        assert isinstance(related, type)
        model = related
    return model._meta.get_field(last).get_internal_type() == "DateField"


def _date_q(field_name: str, r: DateRange, *, is_date: bool) -> Q:
    start: Any = r.start
    end: Any = r.end
    if is_date:
        start, end = timezone.localtime(r.start).date(), timezone.localtime(r.end).date()
        if end == start:
            end = start + dt.timedelta(days=1)
    lo, hi = f"{field_name}__gte", f"{field_name}__lt"
    return {
        "eq": Q(**{lo: start, hi: end}),
        "ne": ~Q(**{lo: start, hi: end}),
        "lt": Q(**{hi: start}),
        "eb": Q(**{hi: start}),
        "gt": Q(**{lo: end}),
        "sa": Q(**{lo: end}),
        "le": Q(**{hi: end}),
        "ge": Q(**{lo: start}),
    }[r.prefix]


@dataclass
class Page:
    resources: list[tuple[Source, dict[str, Any], Any]]  # source, resource, patient
    total: int
    included: list[dict[str, Any]]


def _source_filter(source: Source, params: list[tuple[str, str]]) -> Q | None:
    """The rows of `source` matching every parameter; None when none can."""
    q = Q()
    tz = timezone.get_current_timezone()
    model: type[Model] = source.queryset().model
    for name, value in params:
        base, _, modifier = name.partition(":")
        if (
            modifier
            and not (base in REFERENCE_PARAMS and modifier == "Patient")
            and not (modifier == "exact" and base in source.strings)
            and not (modifier == "in" and base in TOKEN_IN)
        ):
            raise ParamError(f"{name}: the modifier ':{modifier}' is not supported")
        if modifier == "in":
            if base not in source.tokens:
                return None
            part_in = _in_value_sets(name, value.split(","), source.tokens[base])
            if part_in is None:
                return None
            q &= part_in
            continue
        values = value.split(",")  # a comma means OR
        alt = Q()
        matched_any = False
        for v in values:
            part: Q | None
            if base == "_id":
                pk = source.pk_of(v)
                if source.prefix == "" and source.suffix == "":
                    field_name = "mrn" if source.resource_type == "Patient" else "pk"
                    part = None if field_name == "pk" and not v.isdigit() else Q(**{field_name: v})
                else:
                    part = Q(pk=pk) if pk is not None else None
            elif base in REFERENCE_PARAMS:
                if source.patient_path is None:
                    raise ParamError(f"{name}: not a parameter of {source.resource_type}")
                part = Q(**{source.patient_path: parse_reference(name, v, "Patient")})
            elif base == "_lastUpdated":
                if source.updated_field is None:
                    raise ParamError(
                        f"{name}: {source.resource_type} records keep no modification time"
                    )
                part = _date_q(source.updated_field, parse_date(name, v, tz), is_date=False)
            elif base == "date" and source.date_field:
                is_date = (
                    model._meta.get_field(source.date_field).get_internal_type() == "DateField"
                )
                part = _date_q(source.date_field, parse_date(name, v, tz), is_date=is_date)
            elif base in source.dates:
                part = _date_q(
                    source.dates[base],
                    parse_date(name, v, tz),
                    is_date=_is_date_field(model, source.dates[base]),
                )
            elif base in source.tokens:
                part = source.tokens[base](parse_token(v))
            elif base in source.strings:
                part = source.strings[base](v)
            else:
                return None  # a parameter another source of this type understands
            if part is not None:
                alt = alt | part if matched_any else part
                matched_any = True
        if not matched_any:
            return None
        q &= alt
    return q


# Token parameters that take `:in=<ValueSet>` (a value set held here: `GET /fhir/ValueSet`).
TOKEN_IN = ("code", "value-concept")


def _in_value_sets(name: str, urls: list[str], token: TokenFilter) -> Q | None:
    """Rows whose code is in one of the value sets; None when no row of the source can be."""
    out: Q | None = None
    for url in urls:
        vs = tx.value_set_name(url)
        if vs is None:
            raise ParamError(
                f"{name}: {url!r} is not a value set held here (see /fhir/ValueSet: "
                f"{', '.join(tx.VALUESET_PREFIX + n.replace('_', '-') for n in tx.map_names())})"
            )
        for c in tx.expand(vs):
            part = token(Token(system=c["system"], code=c["code"]))
            if part is not None:
                out = part if out is None else out | part
    return out


def check_params(resource_type: str, params: list[tuple[str, str]]) -> None:
    known = set(supported_params(resource_type)) | COMMON
    for name, _value in params:
        base = name.partition(":")[0]
        if base not in known:
            raise ParamError(f"{name}: not a search parameter of {resource_type} on this server")


def search(
    resource_type: str,
    params: list[tuple[str, str]],
    *,
    count: int,
    offset: int,
    includes: list[str],
    sources: list[Source] | None = None,
) -> Page:
    check_params(resource_type, params)
    filters = [
        (name, v) for name, v in params if name not in COMMON or name in ("_id", "_lastUpdated")
    ]
    chosen: list[tuple[Source, QuerySet[Any]]] = []
    for source in sources if sources is not None else SOURCES[resource_type]:
        q = _source_filter(source, filters)
        if q is None:
            continue
        qs = source.queryset().filter(q)
        if any(n.partition(":")[0] == "identifier" for n, _ in filters):
            qs = qs.distinct()
        chosen.append((source, qs.order_by("pk")))
    counts = _counts([qs for _, qs in chosen])
    total = sum(counts)
    out: list[tuple[Source, dict[str, Any], Any]] = []
    skip, want = offset, count
    for (source, qs), n in zip(chosen, counts, strict=True):
        if want <= 0:
            break
        if skip >= n:
            skip -= n
            continue
        rows = list(qs[skip : skip + want])
        skip = 0
        want -= len(rows)
        out.extend((source, source.build(row), source.patient_of(row)) for row in rows)
    included = _includes(resource_type, out, includes)
    return Page(resources=out, total=total, included=included)


def _counts(querysets: list[QuerySet[Any]]) -> list[int]:
    """The row count of each queryset, all in one query (a type has up to some twenty sources:
    one count each would be a round trip each)."""
    if len(querysets) <= 1:
        return [qs.count() for qs in querysets]
    parts: list[str] = []
    params: list[Any] = []
    for i, qs in enumerate(querysets):
        try:
            sql, p = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            # a filter that can match nothing (a status token no local status exports as,
            # `__in=[]`): the ORM refuses to write SQL for it, and its count is 0
            parts.append("0")
            continue
        # The ORM's own SQL with its parameters kept apart: no input is pasted into the text.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{i})")  # noqa: S608
        params.extend(p)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return [int(n) for n in row]


def _includes(
    resource_type: str, page: list[tuple[Source, dict[str, Any], Any]], includes: list[str]
) -> list[dict[str, Any]]:
    allowed = INCLUDES.get(resource_type, set())
    for inc in includes:
        if inc not in allowed:
            raise ParamError(
                f"_include: {inc!r} is not supported (supported: {', '.join(sorted(allowed)) or 'none'})"
            )
    out: list[dict[str, Any]] = []
    seen = {(r["resourceType"], r["id"]) for _, r, _ in page}
    wanted_patients: set[str] = set()
    wanted_obs: set[str] = set()
    wanted_conditions: set[int] = set()
    for inc in includes:
        _, target = inc.split(":", 1)
        for _source, res, _patient in page:
            if target in ("subject", "patient", "actor"):
                for key in ("subject",):
                    if key in res:
                        wanted_patients.add(res[key]["reference"].split("/", 1)[1])
                for p in res.get("participant", []):
                    if p["actor"]["reference"].startswith("Patient/"):
                        wanted_patients.add(p["actor"]["reference"].split("/", 1)[1])
            elif target == "has-member":
                wanted_obs.update(m["reference"].split("/", 1)[1] for m in res.get("hasMember", []))
            elif target == "focus":
                for f in res.get("focus", []):
                    pk = f["reference"].removeprefix("Condition/diagnosis-")
                    if pk.isdigit():
                        wanted_conditions.add(int(pk))
    if wanted_patients:
        for p in Patient.objects.filter(mrn__in=wanted_patients).prefetch_related("identifiers"):
            if ("Patient", p.mrn) not in seen:
                out.append(R.patient(p, list(p.identifiers.all())))
    if wanted_obs:
        pks = {int(rid.split("-")[1]) for rid in wanted_obs}
        for s in TnmStaging.objects.filter(pk__in=pks).select_related("diagnosis__patient"):
            out.extend(
                r
                for r in R.tnm_observations(s)
                if r["id"] in wanted_obs and ("Observation", r["id"]) not in seen
            )
    if wanted_conditions:
        cond = SOURCES["Condition"][0]
        for d in cond.queryset().filter(pk__in=wanted_conditions):
            if ("Condition", R.condition_id(d)) not in seen:
                out.append(cond.build(d))
    return out


def read(
    resource_type: str, rid: str, sources: list[Source] | None = None
) -> tuple[Source, dict[str, Any], Any] | None:
    for source in sources if sources is not None else SOURCES[resource_type]:
        if source.prefix == "" and source.suffix == "":
            field_name = "mrn" if resource_type == "Patient" else "pk"
            if field_name == "pk" and not rid.isdigit():
                continue
            row = source.queryset().filter(**{field_name: rid}).first()
        else:
            pk = source.pk_of(rid)
            if pk is None:
                continue
            row = source.queryset().filter(pk=pk).first()
        if row is not None:
            res = source.build(row)
            if res["id"] == rid:
                return source, res, source.patient_of(row)
    return None


def everything(
    patient: Patient,
    types: Iterable[str] = (
        "Condition",
        "Observation",
        "Procedure",
        "MedicationRequest",
        "MedicationAdministration",
        "Appointment",
        "Encounter",
        "CarePlan",
    ),
) -> list[tuple[Source, dict[str, Any]]]:
    """Every resource of the patient's record served here (Patient/$everything). The default
    leaves out the laboratory orders and reports (the portal's record builds on it and shows
    only released results); staff's $everything asks for them."""
    out: list[tuple[Source, dict[str, Any]]] = []
    for rtype in types:
        for source in SOURCES[rtype]:
            assert source.patient_path is not None
            qs = source.queryset().filter(**{source.patient_path: patient.mrn}).order_by("pk")
            out.extend((source, source.build(row)) for row in qs)
    return out
