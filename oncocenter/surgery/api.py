"""JSON API of surgery and treatment response (mounted at /api/surgery/). Thin: check the
permission, look the rows up, call one service, answer; every read of patient data is audited."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.mdt.models import Recommendation
from oncocenter.oncology.models import Diagnosis, TreatmentEpisode
from oncocenter.patients.selectors import patient_get
from oncocenter.surgery import selectors, services
from oncocenter.surgery.models import Operation, ResponseAssessment
from oncocenter.surgery.schemas import (
    ResponseAssessmentIn,
    ResponseAssessmentOut,
    SurgeryComplicationIn,
    SurgeryComplicationOut,
    SurgeryOperationIn,
    SurgeryOperationOut,
    SurgeryPathologyIn,
    SurgeryPathologyOut,
    SurgeryPostopIn,
    SurgeryQualityYear,
)

router = Router(tags=["surgery"])
M = TypeVar("M", bound=Model)


def _ref(model: type[M], pk: int | None, field: str) -> M | None:
    """A linked row named by id in the body: unknown ids are bad input on that field."""
    if pk is None:
        return None
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise ValidationFailed.single(field, _("no such record"), pk)
    return obj


def _operation(pk: int) -> Operation:
    op = Operation.objects.select_related("patient", "diagnosis").filter(pk=pk).first()
    if op is None:
        raise NotFound(_("No operation with id %(id)s.") % {"id": pk})
    return op


def pathology_out(op: Operation) -> dict[str, Any] | None:
    report = getattr(op, "pathology", None)
    if report is None:
        return None
    t = report.staging
    prefix = "yp" if report.after_neoadjuvant else "p"
    return {
        "id": report.pk,
        "reported_on": report.reported_on,
        "after_neoadjuvant": report.after_neoadjuvant,
        "ytnm": f"{prefix}{t.t_category}{t.n_category}{t.m_category}",
        "stage_group": t.stage_group,
        "trg_system": report.trg_system,
        "trg": report.trg,
        "proximal_margin": report.proximal_margin,
        "distal_margin": report.distal_margin,
        "circumferential_margin": report.circumferential_margin,
        "nodes_examined": report.nodes_examined,
        "nodes_positive": report.nodes_positive,
        "complete_response": report.complete_response,
    }


def operation_out(op: Operation) -> dict[str, Any]:
    return {
        "id": op.pk,
        "mrn": op.patient.mrn,
        "diagnosis": op.diagnosis_id,
        "recommendation": op.recommendation_id,
        "neoadjuvant_episode": op.neoadjuvant_episode_id,
        "neoadjuvant": op.neoadjuvant,
        "episode": op.episode_id,
        "procedure": op.procedure,
        "approach": op.approach,
        "anastomosis": op.anastomosis,
        "operated_on": op.operated_on,
        "duration_min": op.duration_min,
        "blood_loss_ml": op.blood_loss_ml,
        "nodes_harvested": op.nodes_harvested,
        "residual_tumor": op.residual_tumor,
        "feeding_jejunostomy": op.feeding_jejunostomy,
        "surgeon": op.surgeon.username,
        "team": op.team,
        "discharged_on": op.discharged_on,
        "length_of_stay": op.length_of_stay,
        "icu_days": op.icu_days,
        "readmitted_30d": op.readmitted_30d,
        "oral_intake_on": op.oral_intake_on,
        "died_on": op.died_on,
        "complications": list(op.complications.all()),
        "pathology": pathology_out(op),
    }


def assessment_out(a: ResponseAssessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "criteria": a.criteria,
        "assessed_on": a.assessed_on,
        "baseline": a.baseline_id,
        "lesions": [
            {"label": x.label, "organ": x.organ, "diameter_mm": x.diameter_mm, "is_node": x.is_node}
            for x in a.lesions.all()
        ],
        "sum_mm": a.sum_mm,
        "change_from_baseline_pct": a.change_from_baseline_pct,
        "change_from_nadir_pct": a.change_from_nadir_pct,
        "non_target": a.non_target,
        "new_lesions": a.new_lesions,
        "target_response": a.target_response,
        "primary_mm": a.primary_mm,
        "curie_score": a.curie_score,
        "marrow_pct": a.marrow_pct,
        "component_responses": a.component_responses,
        "overall_response": a.overall_response,
    }


@router.get("/patients/{mrn}/operations", response=list[SurgeryOperationOut])
@permission("surgery.view")
def operation_list(request: HttpRequest, mrn: str) -> list[dict[str, Any]]:
    patient = patient_get(mrn=mrn, audit=False)
    ops = [
        operation_out(op)
        for op in Operation.objects.filter(patient=patient)
        .select_related("patient", "surgeon", "pathology__staging")
        .prefetch_related("complications")
    ]
    audit_record(
        action=AuditAction.READ,
        patient=patient,
        object_type="surgery.operation",
        detail={"count": len(ops)},
    )
    return ops


@router.post("/patients/{mrn}/operations", response={201: SurgeryOperationOut})
@permission("surgery.record")
def operation_create(request: HttpRequest, mrn: str, payload: SurgeryOperationIn) -> Status:
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    op = services.operation_record(
        by=current_user(request),
        patient=patient,
        diagnosis=_ref(Diagnosis, data.pop("diagnosis"), "diagnosis"),
        recommendation=_ref(Recommendation, data.pop("recommendation"), "recommendation"),
        neoadjuvant_episode=_ref(
            TreatmentEpisode, data.pop("neoadjuvant_episode"), "neoadjuvant_episode"
        ),
        **data,
    )
    return Status(201, operation_out(op))


@router.get("/operations/{operation_id}", response=SurgeryOperationOut)
@permission("surgery.view")
def operation_get(request: HttpRequest, operation_id: int) -> dict[str, Any]:
    op = _operation(operation_id)
    audit_record(action=AuditAction.READ, obj=op, patient=op.patient)
    return operation_out(op)


@router.post("/operations/{operation_id}/postop", response=SurgeryOperationOut)
@permission("surgery.record")
def operation_postop(
    request: HttpRequest, operation_id: int, payload: SurgeryPostopIn
) -> dict[str, Any]:
    op = services.operation_postop_update(
        by=current_user(request), operation=_operation(operation_id), **payload.dict()
    )
    return operation_out(op)


@router.post("/operations/{operation_id}/complications", response={201: SurgeryComplicationOut})
@permission("surgery.record")
def complication_create(
    request: HttpRequest, operation_id: int, payload: SurgeryComplicationIn
) -> Status:
    c = services.complication_record(
        by=current_user(request), operation=_operation(operation_id), **payload.dict()
    )
    return Status(201, c)


@router.post("/operations/{operation_id}/pathology", response={201: SurgeryPathologyOut})
@permission("surgery.pathology")
def pathology_create(
    request: HttpRequest, operation_id: int, payload: SurgeryPathologyIn
) -> Status:
    op = _operation(operation_id)
    services.pathology_record(by=current_user(request), operation=op, **payload.dict())
    op = Operation.objects.select_related("pathology__staging").get(pk=op.pk)
    return Status(201, pathology_out(op))


@router.get("/patients/{mrn}/responses", response=list[ResponseAssessmentOut])
@permission("surgery.view")
def response_list(request: HttpRequest, mrn: str) -> list[dict[str, Any]]:
    patient = patient_get(mrn=mrn, audit=False)
    rows = [assessment_out(a) for a in selectors.patient_assessments(patient)]
    audit_record(
        action=AuditAction.READ,
        patient=patient,
        object_type="surgery.response",
        detail={"count": len(rows)},
    )
    return rows


@router.post("/patients/{mrn}/responses", response={201: ResponseAssessmentOut})
@permission("response.record")
def response_create(request: HttpRequest, mrn: str, payload: ResponseAssessmentIn) -> Status:
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    a = services.response_record(
        by=current_user(request),
        patient=patient,
        diagnosis=_ref(Diagnosis, data.pop("diagnosis"), "diagnosis"),
        baseline=_ref(ResponseAssessment, data.pop("baseline"), "baseline"),
        **data,
    )
    return Status(201, assessment_out(a))


@router.get("/quality", response=list[SurgeryQualityYear])
@permission("surgery.quality")
def quality(request: HttpRequest) -> list[Any]:
    return list(selectors.quality_figures())
