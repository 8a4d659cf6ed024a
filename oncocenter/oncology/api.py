"""Oncology API: code autocomplete, diagnoses, staging, observations, treatments, workup, chart,
and (mounted under /api/patients/, where it always was) the co-payment registration."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.oncology import codes, services
from oncocenter.oncology.chart import patient_timeline
from oncocenter.oncology.models import (
    CopayRegistration,
    Diagnosis,
    VitalSigns,
    WorkupDepartment,
    WorkupOrder,
)
from oncocenter.oncology.schemas import (
    ChartEventOut,
    CopayRegistrationIn,
    CopayRegistrationOut,
    DiagnosisStatusPatch,
    DiseaseStatusIn,
    DiseaseStatusOut,
    OncologyCodeOut,
    OncologyDiagnosisIn,
    OncologyDiagnosisOut,
    PerformanceStatusIn,
    PerformanceStatusOut,
    StagingIn,
    StagingOut,
    TreatmentEpisodeIn,
    TreatmentEpisodeOut,
    TumorMarkerIn,
    TumorMarkerOut,
    VitalSignsCorrectIn,
    VitalSignsErrorIn,
    VitalSignsIn,
    VitalSignsOut,
    WorkupAdvanceIn,
    WorkupIn,
    WorkupOut,
    WorkupTurnaroundOut,
)
from oncocenter.oncology.selectors import (
    copay_expiring,
    diagnoses_qs,
    oncology_record,
    vital_signs_list,
    workup_turnaround,
    workup_worklist,
)
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get

router = Router(tags=["oncology"])
copay_router = Router(tags=["co-payment registration"])


def get_diagnosis(pk: int) -> Diagnosis:
    diagnosis = Diagnosis.objects.select_related("patient").filter(pk=pk).first()
    if diagnosis is None:
        raise NotFound(_("No diagnosis %(id)s.") % {"id": pk})
    return diagnosis


def _patient_diagnosis(patient: Patient, pk: int | None) -> Diagnosis | None:
    if pk is None:
        return None
    diagnosis = Diagnosis.objects.filter(pk=pk, patient=patient).first()
    if diagnosis is None:
        raise ValidationFailed.single("diagnosis_id", _("is not a diagnosis of this patient"), pk)
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


@router.get("/codes/{code_list}", response=list[OncologyCodeOut])
@permission("oncology.view")
def code_search(request: HttpRequest, code_list: str, q: str = "", limit: int = 20):
    """Autocomplete over the shipped code lists: icd10, icdo3_topography, icdo3_morphology."""
    if code_list not in codes.LISTS:
        raise ValidationFailed.single(
            "code_list",
            _("must be one of %(choices)s") % {"choices": ", ".join(codes.LISTS)},
            code_list,
        )
    return [asdict(c) for c in codes.search(code_list, q, limit=max(1, min(limit, 50)))]


@router.get("/patients/{mrn}/diagnoses", response=list[OncologyDiagnosisOut])
@permission("oncology.view")
def diagnosis_list(request: HttpRequest, mrn: str):
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


@router.post("/patients/{mrn}/diagnoses", response={201: OncologyDiagnosisOut})
@permission("diagnosis.edit")
def diagnosis_create(request: HttpRequest, mrn: str, payload: OncologyDiagnosisIn):
    patient = patient_get(mrn=mrn, audit=False)
    d = services.diagnosis_create(patient=patient, by=current_user(request), **payload.dict())
    return Status(201, d)


@router.patch("/diagnoses/{pk}", response=OncologyDiagnosisOut)
@permission("diagnosis.edit")
def diagnosis_status(request: HttpRequest, pk: int, payload: DiagnosisStatusPatch):
    """Change clinical or verification status (e.g. entered-in-error); the row itself stays."""
    d = services.diagnosis_set_status(
        diagnosis=get_diagnosis(pk), by=current_user(request), **payload.dict()
    )
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


@router.post("/diagnoses/{pk}/stagings", response={201: StagingOut})
@permission("staging.edit")
def staging_create(request: HttpRequest, pk: int, payload: StagingIn):
    return Status(
        201,
        services.staging_record(
            diagnosis=get_diagnosis(pk), by=current_user(request), **payload.dict()
        ),
    )


@router.post("/diagnoses/{pk}/statuses", response={201: DiseaseStatusOut})
@permission("observation.record")
def disease_status_create(request: HttpRequest, pk: int, payload: DiseaseStatusIn):
    return Status(
        201,
        services.disease_status_record(
            diagnosis=get_diagnosis(pk), by=current_user(request), **payload.dict()
        ),
    )


@router.post("/patients/{mrn}/performance", response={201: PerformanceStatusOut})
@permission("observation.record")
def performance_create(request: HttpRequest, mrn: str, payload: PerformanceStatusIn) -> Any:
    patient = patient_get(mrn=mrn, audit=False)
    return Status(
        201,
        services.performance_record(patient=patient, by=current_user(request), **payload.dict()),
    )


@router.post("/patients/{mrn}/markers", response={201: TumorMarkerOut})
@permission("observation.record")
def marker_create(request: HttpRequest, mrn: str, payload: TumorMarkerIn) -> Any:
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    diagnosis = _patient_diagnosis(patient, data.pop("diagnosis_id"))
    marker = services.tumor_marker_record(
        patient=patient, diagnosis=diagnosis, by=current_user(request), **data
    )
    return Status(
        201, {**data, "id": marker.pk, "diagnosis_id": marker.diagnosis_id, "value": marker.value}
    )


# How many sets one GET returns at most (the newest first).
VITALS_LIST_MAX = 200


def _user_name(user: Any) -> str | None:
    return None if user is None else (user.get_full_name() or user.get_username())


def _vitals_out(v: VitalSigns) -> dict[str, Any]:
    superseded_by = getattr(v, "superseded_by", None)
    return {
        **{name: getattr(v, name) for name in VitalSignsOut.model_fields if hasattr(v, name)},
        "id": v.pk,
        "patient_mrn": v.patient.mrn,
        "recorded_by": _user_name(v.recorded_by),
        "corrected_by": _user_name(v.corrected_by),
        "supersedes_id": v.supersedes_id,
        "superseded_by_id": superseded_by.pk if superseded_by else None,
    }


def _get_vitals(pk: int) -> VitalSigns:
    row = VitalSigns.objects.select_related("patient").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No vital signs set %(id)s.") % {"id": pk})
    return row


@router.get("/patients/{mrn}/vitals", response=list[VitalSignsOut])
@permission("oncology.view")
def vitals_list(request: HttpRequest, mrn: str, limit: int = 50) -> Any:
    """The patient's vital signs sets, newest first (at most `limit`, 1-200), with the corrected
    ones (status superseded or entered-in-error, and why)."""
    if not 1 <= limit <= VITALS_LIST_MAX:
        raise ValidationFailed.single(
            "limit",
            _("must be between %(low)s and %(high)s") % {"low": 1, "high": VITALS_LIST_MAX},
            limit,
        )
    patient = patient_get(mrn=mrn, audit=False)
    return [_vitals_out(v) for v in vital_signs_list(patient=patient, limit=limit)]


@router.post("/patients/{mrn}/vitals", response={201: VitalSignsOut})
@permission("observation.record")
def vitals_create(request: HttpRequest, mrn: str, payload: VitalSignsIn) -> Any:
    patient = patient_get(mrn=mrn, audit=False)
    row = services.vital_signs_record(patient=patient, by=current_user(request), **payload.dict())
    return Status(201, _vitals_out(row))


@router.post("/vitals/{pk}/entered-in-error", response=VitalSignsOut)
@permission("observation.record")
def vitals_entered_in_error(request: HttpRequest, pk: int, payload: VitalSignsErrorIn) -> Any:
    """Mark a set entered in error (409 `vitals_corrected_once` if it was already corrected)."""
    row = services.vital_signs_mark_entered_in_error(
        vital_signs=_get_vitals(pk), by=current_user(request), reason=payload.reason
    )
    return _vitals_out(row)


@router.post("/vitals/{pk}/correct", response={201: VitalSignsOut})
@permission("observation.record")
def vitals_correct(request: HttpRequest, pk: int, payload: VitalSignsCorrectIn) -> Any:
    """Record the corrected set (status amended) that supersedes set `pk` (409
    `vitals_corrected_once` if `pk` was already corrected)."""
    row = services.vital_signs_correct(
        vital_signs=_get_vitals(pk), by=current_user(request), **payload.dict()
    )
    return Status(201, _vitals_out(row))


@router.post("/patients/{mrn}/treatments", response={201: TreatmentEpisodeOut})
@permission("treatment.record")
def treatment_create(request: HttpRequest, mrn: str, payload: TreatmentEpisodeIn) -> Any:
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    diagnosis = _patient_diagnosis(patient, data.pop("diagnosis_id"))
    episode = services.treatment_episode_create(
        patient=patient, by=current_user(request), diagnosis=diagnosis, source="api", **data
    )
    return Status(201, episode)


@router.post("/patients/{mrn}/workup", response={201: WorkupOut})
@permission("workup.order")
def workup_create(request: HttpRequest, mrn: str, payload: WorkupIn):
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    diagnosis = _patient_diagnosis(patient, data.pop("diagnosis_id"))
    order = services.workup_order_create(
        patient=patient, diagnosis=diagnosis, by=current_user(request), **data
    )
    return Status(201, _workup_out(order))


@router.post("/workup/{pk}/advance", response=WorkupOut)
@permission("workup.result")
def workup_advance(request: HttpRequest, pk: int, payload: WorkupAdvanceIn):
    order = WorkupOrder.objects.select_related("patient").filter(pk=pk).first()
    if order is None:
        raise NotFound(_("No workup order %(id)s.") % {"id": pk})
    return _workup_out(
        services.workup_order_advance(order=order, by=current_user(request), **payload.dict())
    )


@router.get("/workup", response=list[WorkupOut])
@permission("workup.view")
def workup_list(request: HttpRequest, department: str):
    """Open orders of one department (its worklist)."""
    if department not in WorkupDepartment.values:
        raise ValidationFailed.single(
            "department",
            _("must be one of %(choices)s") % {"choices": ", ".join(WorkupDepartment.values)},
            department,
        )
    return [_workup_out(o) for o in workup_worklist(department=department)]


@router.get("/workup/turnaround", response=list[WorkupTurnaroundOut])
@permission("workup.view")
def workup_turnaround_view(request: HttpRequest):
    return [{"department": d, **asdict(t)} for d, t in workup_turnaround().items()]


@router.get("/patients/{mrn}/timeline", response=list[ChartEventOut])
@permission("oncology.view")
def timeline(request: HttpRequest, mrn: str):
    patient = patient_get(mrn=mrn, audit=False)
    return [asdict(e) for e in patient_timeline(patient=patient)]


@router.get("/patients/{mrn}/performance", response=list[PerformanceStatusOut])
@permission("oncology.view")
def performance_list(request: HttpRequest, mrn: str):
    return oncology_record(patient=patient_get(mrn=mrn, audit=False)).performance


@router.get("/patients/{mrn}/markers", response=list[TumorMarkerOut])
@permission("oncology.view")
def marker_list(request: HttpRequest, mrn: str):
    return oncology_record(patient=patient_get(mrn=mrn, audit=False)).markers


@router.get("/patients/{mrn}/treatments", response=list[TreatmentEpisodeOut])
@permission("oncology.view")
def treatment_list(request: HttpRequest, mrn: str):
    return oncology_record(patient=patient_get(mrn=mrn, audit=False)).treatments


@router.get("/patients/{mrn}/workup", response=list[WorkupOut])
@permission("workup.view")
def workup_patient_list(request: HttpRequest, mrn: str):
    return [
        _workup_out(o) for o in oncology_record(patient=patient_get(mrn=mrn, audit=False)).workup
    ]


def _copay_out(r: CopayRegistration) -> dict[str, Any]:
    return {
        "id": r.pk,
        "mrn": r.patient.mrn,
        "special_code": r.special_code,
        "registered_on": r.registered_on,
        "expires_on": r.expires_on,
    }


@copay_router.get("/copay/expiring", response=list[CopayRegistrationOut])
@permission("copay.manage")
def copay_reminders(request: HttpRequest, days: int = 60) -> Any:
    """Registrations whose 5-year coverage ends within `days` (default 60)."""
    if not 1 <= days <= 366:
        raise ValidationFailed.single(
            "days", _("must be between %(low)s and %(high)s") % {"low": 1, "high": 366}, days
        )
    return [_copay_out(r) for r in copay_expiring(days=days)]


@copay_router.post("/{mrn}/copay", response={201: CopayRegistrationOut})
@permission("copay.manage")
def copay_create(request: HttpRequest, mrn: str, payload: CopayRegistrationIn) -> Any:
    patient = patient_get(mrn=mrn, audit=False)
    registration = services.copay_register(
        patient=patient,
        by=current_user(request),
        registered_on=payload.registered_on,
        diagnosis=_patient_diagnosis(patient, payload.diagnosis_id),
        registration_number=payload.registration_number,
        special_code=payload.special_code,
    )
    return Status(201, _copay_out(registration))
