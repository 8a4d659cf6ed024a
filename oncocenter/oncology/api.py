"""Oncology API: code autocomplete, diagnoses, staging, observations, treatments, workup, chart."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Router, Status

from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.oncology import codes, services
from oncocenter.oncology.chart import patient_timeline
from oncocenter.oncology.models import Diagnosis, WorkupDepartment, WorkupOrder
from oncocenter.oncology.schemas import (
    ChartEventOut,
    CodeOut,
    DiagnosisIn,
    DiagnosisOut,
    DiagnosisStatusPatch,
    DiseaseStatusIn,
    DiseaseStatusOut,
    MarkerIn,
    MarkerOut,
    PerformanceIn,
    PerformanceOut,
    StagingIn,
    StagingOut,
    TreatmentIn,
    TreatmentOut,
    TurnaroundOut,
    WorkupAdvanceIn,
    WorkupIn,
    WorkupOut,
)
from oncocenter.oncology.selectors import (
    diagnoses_qs,
    oncology_record,
    workup_turnaround,
    workup_worklist,
)
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get

router = Router(tags=["oncology"])


def get_diagnosis(pk: int) -> Diagnosis:
    diagnosis = Diagnosis.objects.select_related("patient").filter(pk=pk).first()
    if diagnosis is None:
        raise NotFound(f"No diagnosis {pk}.")
    return diagnosis


def _patient_diagnosis(patient: Patient, pk: int | None) -> Diagnosis | None:
    if pk is None:
        return None
    diagnosis = Diagnosis.objects.filter(pk=pk, patient=patient).first()
    if diagnosis is None:
        raise ValidationFailed.single("diagnosis_id", "is not a diagnosis of this patient", pk)
    return diagnosis


def _workup_out(order: WorkupOrder) -> dict:
    return {
        "id": order.pk,
        "patient_mrn": order.patient.mrn,
        "department": order.department,
        "test_name": order.test_name,
        "status": order.status,
        "ordered_at": order.ordered_at,
        "started_at": order.started_at,
        "resulted_at": order.resulted_at,
        "result_summary": order.result_summary,
    }


@router.get("/codes/{code_list}", response=list[CodeOut])
def code_search(request: HttpRequest, code_list: str, q: str = "", limit: int = 20):
    """Autocomplete over the shipped code lists: icd10, icdo3_topography, icdo3_morphology."""
    require(request.user, "oncology.view")
    if code_list not in codes.LISTS:
        raise ValidationFailed.single(
            "code_list", f"must be one of {', '.join(codes.LISTS)}", code_list
        )
    return [asdict(c) for c in codes.search(code_list, q, limit=max(1, min(limit, 50)))]


@router.get("/patients/{mrn}/diagnoses", response=list[DiagnosisOut])
def diagnosis_list(request: HttpRequest, mrn: str):
    require(request.user, "oncology.view")
    patient = patient_get(mrn=mrn)
    return [
        {
            **{
                f.name: getattr(d, f.name)
                for f in Diagnosis._meta.concrete_fields
                if f.name != "patient"
            },
            "id": d.pk,
            "stagings": list(d.stagings.all()),
            "disease_statuses": list(d.disease_statuses.all()),
        }
        for d in diagnoses_qs(patient)
    ]


@router.post("/patients/{mrn}/diagnoses", response={201: DiagnosisOut})
def diagnosis_create(request: HttpRequest, mrn: str, payload: DiagnosisIn):
    require(request.user, "diagnosis.edit")
    patient = patient_get(mrn=mrn, audit=False)
    d = services.diagnosis_create(patient=patient, recorded_by=request.user, **payload.dict())
    return Status(201, d)


@router.patch("/diagnoses/{pk}", response=DiagnosisOut)
def diagnosis_status(request: HttpRequest, pk: int, payload: DiagnosisStatusPatch):
    """Change clinical or verification status (e.g. entered-in-error); the row itself stays."""
    require(request.user, "diagnosis.edit")
    d = services.diagnosis_set_status(diagnosis=get_diagnosis(pk), **payload.dict())
    return {
        **{
            f.name: getattr(d, f.name)
            for f in Diagnosis._meta.concrete_fields
            if f.name != "patient"
        },
        "id": d.pk,
        "stagings": list(d.stagings.all()),
        "disease_statuses": list(d.disease_statuses.all()),
    }


@router.get("/diagnoses/{pk}/fhir")
def diagnosis_fhir(request: HttpRequest, pk: int):
    """The diagnosis as a FHIR R4 Condition (mCODE cancer condition) and its TNM observations."""
    from oncocenter.audit.models import AuditAction
    from oncocenter.audit.services import audit_record
    from oncocenter.oncology.fhir import diagnosis_to_fhir, staging_to_fhir

    require(request.user, "oncology.view")
    d = get_diagnosis(pk)
    audit_record(action=AuditAction.EXPORT, obj=d, patient=d.patient, detail={"format": "fhir"})
    entries = [diagnosis_to_fhir(d)] + [
        staging_to_fhir(s) for s in d.stagings.select_related("diagnosis__patient")
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in entries],
    }


@router.post("/diagnoses/{pk}/stagings", response={201: StagingOut})
def staging_create(request: HttpRequest, pk: int, payload: StagingIn):
    require(request.user, "staging.edit")
    return Status(
        201,
        services.staging_record(
            diagnosis=get_diagnosis(pk), recorded_by=request.user, **payload.dict()
        ),
    )


@router.post("/diagnoses/{pk}/statuses", response={201: DiseaseStatusOut})
def disease_status_create(request: HttpRequest, pk: int, payload: DiseaseStatusIn):
    require(request.user, "observation.record")
    return Status(
        201,
        services.disease_status_record(
            diagnosis=get_diagnosis(pk), recorded_by=request.user, **payload.dict()
        ),
    )


@router.post("/patients/{mrn}/performance", response={201: PerformanceOut})
def performance_create(request: HttpRequest, mrn: str, payload: PerformanceIn):
    require(request.user, "observation.record")
    patient = patient_get(mrn=mrn, audit=False)
    return Status(
        201,
        services.performance_record(patient=patient, recorded_by=request.user, **payload.dict()),
    )


@router.post("/patients/{mrn}/markers", response={201: MarkerOut})
def marker_create(request: HttpRequest, mrn: str, payload: MarkerIn):
    require(request.user, "observation.record")
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    diagnosis = _patient_diagnosis(patient, data.pop("diagnosis_id"))
    marker = services.tumor_marker_record(
        patient=patient, diagnosis=diagnosis, recorded_by=request.user, **data
    )
    return Status(
        201, {**data, "id": marker.pk, "diagnosis_id": marker.diagnosis_id, "value": marker.value}
    )


@router.post("/patients/{mrn}/treatments", response={201: TreatmentOut})
def treatment_create(request: HttpRequest, mrn: str, payload: TreatmentIn):
    require(request.user, "treatment.record")
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    diagnosis = _patient_diagnosis(patient, data.pop("diagnosis_id"))
    episode = services.treatment_episode_create(
        patient=patient, by=request.user, diagnosis=diagnosis, source="api", **data
    )
    return Status(201, episode)


@router.post("/patients/{mrn}/workup", response={201: WorkupOut})
def workup_create(request: HttpRequest, mrn: str, payload: WorkupIn):
    require(request.user, "workup.order")
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    diagnosis = _patient_diagnosis(patient, data.pop("diagnosis_id"))
    order = services.workup_order_create(
        patient=patient, diagnosis=diagnosis, ordered_by=request.user, **data
    )
    return Status(201, _workup_out(order))


@router.post("/workup/{pk}/advance", response=WorkupOut)
def workup_advance(request: HttpRequest, pk: int, payload: WorkupAdvanceIn):
    require(request.user, "workup.result")
    order = WorkupOrder.objects.select_related("patient").filter(pk=pk).first()
    if order is None:
        raise NotFound(f"No workup order {pk}.")
    return _workup_out(
        services.workup_order_advance(order=order, by=request.user, **payload.dict())
    )


@router.get("/workup", response=list[WorkupOut])
def workup_list(request: HttpRequest, department: str):
    """Open orders of one department (its worklist)."""
    require(request.user, "workup.view")
    if department not in WorkupDepartment.values:
        raise ValidationFailed.single(
            "department", f"must be one of {', '.join(WorkupDepartment.values)}", department
        )
    return [_workup_out(o) for o in workup_worklist(department=department)]


@router.get("/workup/turnaround", response=list[TurnaroundOut])
def workup_turnaround_view(request: HttpRequest):
    require(request.user, "workup.view")
    return [{"department": d, **asdict(t)} for d, t in workup_turnaround().items()]


@router.get("/patients/{mrn}/timeline", response=list[ChartEventOut])
def timeline(request: HttpRequest, mrn: str):
    require(request.user, "oncology.view")
    patient = patient_get(mrn=mrn, audit=False)
    return [asdict(e) for e in patient_timeline(patient=patient)]


@router.get("/patients/{mrn}/performance", response=list[PerformanceOut])
def performance_list(request: HttpRequest, mrn: str):
    require(request.user, "oncology.view")
    return oncology_record(patient=patient_get(mrn=mrn, audit=False)).performance


@router.get("/patients/{mrn}/markers", response=list[MarkerOut])
def marker_list(request: HttpRequest, mrn: str):
    require(request.user, "oncology.view")
    return oncology_record(patient=patient_get(mrn=mrn, audit=False)).markers


@router.get("/patients/{mrn}/treatments", response=list[TreatmentOut])
def treatment_list(request: HttpRequest, mrn: str):
    require(request.user, "oncology.view")
    return oncology_record(patient=patient_get(mrn=mrn, audit=False)).treatments


@router.get("/patients/{mrn}/workup", response=list[WorkupOut])
def workup_patient_list(request: HttpRequest, mrn: str):
    require(request.user, "workup.view")
    return [
        _workup_out(o) for o in oncology_record(patient=patient_get(mrn=mrn, audit=False)).workup
    ]
