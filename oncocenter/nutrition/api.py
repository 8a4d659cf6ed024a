"""JSON API for nutrition records, screening, milestones, alerts and quality of life."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.nutrition import selectors, services
from oncocenter.nutrition.models import NutritionAlert, NutritionRecord, QoLAlert, Questionnaire
from oncocenter.nutrition.schemas import (
    NutritionAlertHandleIn,
    NutritionAlertOut,
    NutritionMilestoneIn,
    NutritionMilestoneOut,
    NutritionRecordIn,
    NutritionRecordOut,
    NutritionScreeningIn,
    NutritionScreeningOut,
    NutritionSettingsOut,
    NutritionSettingsPatch,
    QoLAlertOut,
    QoLQuestionnaireOut,
    QoLResponseIn,
    QoLResponseOut,
)
from oncocenter.patients.selectors import patient_get

router = Router(tags=["nutrition"])


def _by(request: HttpRequest) -> User:
    # TokenAuth (config/api.py) authenticates every request as a staff user.
    return cast(User, request.user)


def _f(v: Any) -> float | None:
    return float(v) if v is not None else None


def _alert_out(a: NutritionAlert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "patient_mrn": a.patient.mrn,
        "code": a.code,
        "message": a.localized_message,
        "value": float(a.value),
        "threshold": float(a.threshold),
        "raised_on": a.raised_on,
        "status": a.status,
    }


def _record_out(r: NutritionRecord, alerts: list[NutritionAlert] | None = None) -> dict[str, Any]:
    return {
        "id": r.pk,
        "patient_mrn": r.patient.mrn,
        "measured_on": r.measured_on,
        "weight_kg": _f(r.weight_kg),
        "height_cm": _f(r.height_cm),
        "bmi": _f(r.bmi),
        "fois_level": r.fois_level,
        "iddsi_level": r.iddsi_level,
        "feeding_route": r.feeding_route,
        "intake_percent": r.intake_percent,
        "dysphagia_grade": r.dysphagia_grade,
        "alerts": [_alert_out(a) for a in alerts or []],
    }


@router.post("/records", response={201: NutritionRecordOut})
@permission("nutrition.record")
def record_create(request: HttpRequest, payload: NutritionRecordIn):
    """Record weight/height (with units), FOIS, IDDSI, route, intake; returns the alerts raised."""
    patient = patient_get(mrn=payload.mrn, audit=False)
    record, alerts = services.nutrition_record_create(
        by=_by(request), patient=patient, **payload.dict(exclude={"mrn"})
    )
    return Status(201, _record_out(record, alerts))


@router.get("/patients/{mrn}/records", response=list[NutritionRecordOut])
@permission("nutrition.view")
def records(request: HttpRequest, mrn: str):
    patient = patient_get(mrn=mrn, audit=False)
    rows = selectors.patient_records(patient=patient)
    audit_record(
        action=AuditAction.READ,
        patient=patient,
        object_type="nutrition.nutritionrecord",
        detail={"count": len(rows)},
    )
    return [_record_out(r) for r in rows]


@router.get("/patients/{mrn}/chart.svg")
@permission("nutrition.view")
def chart(request: HttpRequest, mrn: str):
    """Weight and FOIS over time with treatment dates marked (SVG)."""
    patient = patient_get(mrn=mrn, audit=False)
    audit_record(
        action=AuditAction.READ,
        patient=patient,
        object_type="nutrition.nutritionrecord",
        detail={"chart": "weight-fois"},
    )
    return HttpResponse(selectors.patient_chart_svg(patient=patient), content_type="image/svg+xml")


@router.post("/screenings", response={201: NutritionScreeningOut})
@permission("nutrition.record")
def screening(request: HttpRequest, payload: NutritionScreeningIn):
    patient = patient_get(mrn=payload.mrn, audit=False)
    row, alerts = services.nrs_screening_record(
        by=_by(request),
        patient=patient,
        screened_on=payload.screened_on,
        nutritional_status=payload.nutritional_status,
        disease_severity=payload.disease_severity,
    )
    return Status(
        201,
        {
            "id": row.pk,
            "total": row.total,
            "at_risk": row.at_risk,
            "alerts": [_alert_out(a) for a in alerts],
        },
    )


@router.post("/milestones", response={201: NutritionMilestoneOut})
@permission("nutrition.record")
def milestone(request: HttpRequest, payload: NutritionMilestoneIn):
    patient = patient_get(mrn=payload.mrn, audit=False)
    m = services.milestone_record(
        by=_by(request),
        patient=patient,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        note=payload.note,
    )
    return Status(201, {"id": m.pk, "kind": m.kind, "occurred_on": m.occurred_on})


@router.get("/alerts", response=list[NutritionAlertOut])
@permission("nutrition.alerts")
def alerts(request: HttpRequest):
    """The dietitian's worklist: open alerts, oldest first."""
    rows = list(selectors.dietitian_worklist())
    audit_record(
        action=AuditAction.READ,
        object_type="nutrition.nutritionalert",
        detail={"worklist": "dietitian", "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return [_alert_out(a) for a in rows]


@router.post("/alerts/{alert_id}", response=NutritionAlertOut)
@permission("nutrition.alerts")
def alert_handle(request: HttpRequest, alert_id: int, payload: NutritionAlertHandleIn):
    alert = NutritionAlert.objects.select_related("patient").filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("No alert %(id)s.") % {"id": alert_id})
    return _alert_out(
        services.nutrition_alert_handle(by=_by(request), alert=alert, status=payload.status)
    )


def _settings_out() -> dict[str, Any]:
    s = services.settings_get()
    return {k: float(getattr(s, k)) for k in services.SETTINGS_FIELDS}


@router.get("/settings", response=NutritionSettingsOut)
@permission("nutrition.view")
def settings_read(request: HttpRequest):
    return _settings_out()


@router.patch("/settings", response=NutritionSettingsOut)
@permission("nutrition.settings")
def settings_edit(request: HttpRequest, payload: NutritionSettingsPatch):
    services.alert_settings_update(by=_by(request), **payload.dict(exclude_unset=True))
    return _settings_out()


@router.get("/questionnaires", response=list[QoLQuestionnaireOut])
@permission("qol.view")
def questionnaires(request: HttpRequest):
    return [
        {"code": q.code, "name_en": q.name_en, "name_ko": q.name_ko, "definition": q.definition}
        for q in Questionnaire.objects.filter(active=True)
    ]


def _qol_alert_out(a: QoLAlert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "patient_mrn": a.patient.mrn,
        "subscale": a.subscale,
        "previous": float(a.previous),
        "current": float(a.current),
        "points": float(a.points),
        "status": a.status,
    }


@router.post("/qol", response={201: QoLResponseOut})
@permission("qol.record")
def qol_record(request: HttpRequest, payload: QoLResponseIn):
    patient = patient_get(mrn=payload.mrn, audit=False)
    q = Questionnaire.objects.filter(code=payload.questionnaire).first()
    if q is None:
        raise ValidationFailed.single(
            "questionnaire", _("no such questionnaire"), payload.questionnaire
        )
    resp, alerts = services.qol_response_record(
        by=_by(request),
        patient=patient,
        questionnaire=q,
        answered_on=payload.answered_on,
        answers=payload.answers,
    )
    return Status(
        201,
        {
            "id": resp.pk,
            "scores": resp.scores,
            "alerts": [_qol_alert_out(a) for a in alerts],
        },
    )


@router.get("/qol-alerts", response=list[QoLAlertOut])
@permission("qol.alerts")
def qol_alerts(request: HttpRequest):
    """The care team's worklist of quality-of-life drops."""
    rows = list(selectors.qol_worklist())
    audit_record(
        action=AuditAction.READ,
        object_type="nutrition.qolalert",
        detail={"worklist": "qol", "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return [_qol_alert_out(a) for a in rows]


@router.post("/qol-alerts/{alert_id}", response=QoLAlertOut)
@permission("qol.alerts")
def qol_alert_handle(request: HttpRequest, alert_id: int, payload: NutritionAlertHandleIn):
    alert = QoLAlert.objects.select_related("patient").filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_("No quality-of-life alert %(id)s.") % {"id": alert_id})
    return _qol_alert_out(
        services.qol_alert_handle(by=_by(request), alert=alert, status=payload.status)
    )
