"""Writes for nutrition and quality of life: checked (ranges with units), atomic, audited;
alerts are raised in the same transaction as the measurement that triggers them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.nutrition import calc, qol
from oncocenter.nutrition.models import (
    AlertSettings,
    AlertStatus,
    Milestone,
    NRSScreening,
    NutritionAlert,
    NutritionRecord,
    QoLAlert,
    QoLResponse,
    Questionnaire,
)
from oncocenter.patients.models import Patient


def settings_get() -> AlertSettings:
    """The single alert-settings row (created with the defaults the first time it is read)."""
    obj, _created = AlertSettings.objects.get_or_create(id=1)
    return obj


SETTINGS_FIELDS = (
    "loss_1m_percent",
    "loss_6m_percent",
    "bmi_below",
    "nrs_at_least",
    "qol_drop_points",
)


Threshold = Decimal | float | int | None


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


# A threshold left out of a call keeps its value; None is a value (and refused).
UNCHANGED: Any = _Unchanged()


def alert_settings_update(
    *,
    by: User,
    loss_1m_percent: Threshold = UNCHANGED,
    loss_6m_percent: Threshold = UNCHANGED,
    bmi_below: Threshold = UNCHANGED,
    nrs_at_least: Threshold = UNCHANGED,
    qol_drop_points: Threshold = UNCHANGED,
) -> AlertSettings:
    """Change the alert thresholds given (each above zero, percentages at most 100); the
    others keep their value. Audited with before and after."""
    given = {
        "loss_1m_percent": loss_1m_percent,
        "loss_6m_percent": loss_6m_percent,
        "bmi_below": bmi_below,
        "nrs_at_least": nrs_at_least,
        "qol_drop_points": qol_drop_points,
    }
    data = {name: value for name, value in given.items() if value is not UNCHANGED}
    problems = []
    for name, value in data.items():
        if value is None or float(value) <= 0:
            problems.append(FieldProblem(name, _("must be greater than zero"), value))
        elif name.endswith("percent") and float(value) > 100:
            problems.append(FieldProblem(name, _("must be at most 100 %"), value))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        settings_get()
        obj = AlertSettings.objects.select_for_update().get(id=1)
        before = {k: str(getattr(obj, k)) for k in data}
        for k, v in data.items():
            setattr(obj, k, v)
        obj.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=obj,
            detail={"before": before, "after": {k: str(v) for k, v in data.items()}},
        )
    return obj


def _not_future(day: dt.date | None, field: str, problems: list[FieldProblem]) -> None:
    if day is None:
        problems.append(FieldProblem(field, _("is required")))
    elif day > timezone.localdate():
        problems.append(FieldProblem(field, _("cannot be in the future"), str(day)))


def _plausible(
    field: str, value: float | None, problems: list[FieldProblem], label: str | None = None
) -> None:
    try:
        calc.check_plausible(field, value)
    except calc.ImplausibleValue as exc:
        unit = f" {exc.unit}" if exc.unit else ""
        problems.append(
            FieldProblem(
                label or field,
                _("%(value)s%(unit)s is outside the plausible range %(low)s-%(high)s%(unit)s")
                % {
                    "value": f"{exc.value:g}",
                    "unit": unit,
                    "low": f"{exc.low:g}",
                    "high": f"{exc.high:g}",
                },
                exc.value,
            )
        )


def _unknown_unit(exc: calc.UnknownUnit) -> FieldProblem:
    return FieldProblem(
        exc.field,
        _("unknown unit %(unit)s; use one of %(units)s")
        % {"unit": repr(exc.unit), "units": ", ".join(exc.allowed)},
        exc.unit,
    )


def _converted_implausible(
    field: str,
    value: float,
    unit: str,
    converted: float,
    base_unit: str,
    exc: calc.ImplausibleValue,
) -> FieldProblem:
    return FieldProblem(
        field,
        _(
            "%(value)s %(unit)s = %(converted)s %(base)s is outside the plausible range "
            "%(low)s-%(high)s %(base)s"
        )
        % {
            "value": f"{value:g}",
            "unit": unit,
            "converted": f"{converted:g}",
            "base": base_unit,
            "low": f"{exc.low:g}",
            "high": f"{exc.high:g}",
        },
        value,
    )


def nutrition_record_create(
    *,
    by: User,
    patient: Patient,
    measured_on: dt.date,
    weight: float | None = None,
    weight_unit: str = "kg",
    height: float | None = None,
    height_unit: str = "cm",
    fois_level: int | None = None,
    iddsi_level: int | None = None,
    feeding_route: str = "",
    intake_percent: int | None = None,
    dysphagia_grade: int | None = None,
    note: str = "",
) -> tuple[NutritionRecord, list[NutritionAlert]]:
    """Record a nutrition assessment and raise the dietitian's alerts it triggers.

    Weight and height may be given in other units (g, lb; m, mm, in) and are stored in kg and
    cm; out-of-range values are refused with the field, the value, the unit and the range.
    """
    problems: list[FieldProblem] = []
    _not_future(measured_on, "measured_on", problems)
    weight_kg = height_cm = None
    if weight is not None:
        try:
            weight_kg = round(calc.to_kg(float(weight), weight_unit), 1)
        except calc.UnknownUnit as exc:
            problems.append(_unknown_unit(exc))
        else:
            if weight_unit == "kg":
                _plausible("weight_kg", float(weight), problems, "weight")
            else:
                try:
                    calc.check_plausible("weight_kg", weight_kg)
                except calc.ImplausibleValue as exc:
                    problems.append(
                        _converted_implausible(
                            "weight", float(weight), weight_unit, weight_kg, "kg", exc
                        )
                    )
    if height is not None:
        try:
            height_cm = round(calc.to_cm(float(height), height_unit), 1)
        except calc.UnknownUnit as exc:
            problems.append(_unknown_unit(exc))
        else:
            if height_unit == "cm":
                _plausible("height_cm", float(height), problems, "height")
            else:
                try:
                    calc.check_plausible("height_cm", height_cm)
                except calc.ImplausibleValue as exc:
                    problems.append(
                        _converted_implausible(
                            "height", float(height), height_unit, height_cm, "cm", exc
                        )
                    )
    _plausible("fois_level", fois_level, problems)
    _plausible("iddsi_level", iddsi_level, problems)
    _plausible("intake_percent", intake_percent, problems)
    _plausible("dysphagia_grade", dysphagia_grade, problems)
    routes = [c for c, _ in calc.FEEDING_ROUTES]
    if feeding_route and feeding_route not in routes:
        problems.append(
            FieldProblem(
                "feeding_route",
                _("must be one of %(choices)s") % {"choices": ", ".join(routes)},
                feeding_route,
            )
        )
    if (
        all(
            v is None
            for v in (weight, height, fois_level, iddsi_level, intake_percent, dysphagia_grade)
        )
        and not feeding_route
    ):
        problems.append(FieldProblem("weight", _("enter at least one measurement")))
    if problems:
        raise ValidationFailed(problems)

    with transaction.atomic():
        if height_cm is None:
            last_height = (
                NutritionRecord.objects.filter(patient=patient, height_cm__isnull=False)
                .order_by("-measured_on", "-id")
                .values_list("height_cm", flat=True)
                .first()
            )
            ref_height = float(last_height) if last_height is not None else None  # type: ignore[arg-type]
        else:
            ref_height = height_cm
        record = NutritionRecord.objects.create(
            patient=patient,
            measured_on=measured_on,
            weight_kg=weight_kg,
            height_cm=height_cm,
            bmi=calc.bmi(weight_kg, ref_height) if weight_kg is not None and ref_height else None,
            fois_level=fois_level,
            iddsi_level=iddsi_level,
            feeding_route=feeding_route,
            intake_percent=intake_percent,
            dysphagia_grade=dysphagia_grade,
            note=note.strip(),
            recorded_by=by,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=record,
            patient=patient,
            detail={"measured_on": str(measured_on), "weight_kg": weight_kg, "fois": fois_level},
        )
        alerts = _raise_alerts(patient=patient, record=record, height_cm=ref_height, on=measured_on)
    return record, alerts


def _raise_alerts(
    *,
    patient: Patient,
    record: NutritionRecord | None,
    height_cm: float | None,
    on: dt.date,
    nrs_total: int | None = None,
) -> list[NutritionAlert]:
    weights = [
        (d, float(w or 0))
        for d, w in NutritionRecord.objects.filter(
            patient=patient, weight_kg__isnull=False, measured_on__lte=on
        ).values_list("measured_on", "weight_kg")
    ]
    found = calc.evaluate_alerts(
        weights=weights,
        height_cm=height_cm if record is not None else None,
        nrs_total=nrs_total,
        thresholds=settings_get().thresholds(),
        on=on,
    )
    open_codes = set(
        NutritionAlert.objects.filter(patient=patient, status=AlertStatus.OPEN).values_list(
            "code", flat=True
        )
    )
    created = []
    for a in found:
        if a.code in open_codes:
            continue
        alert = NutritionAlert.objects.create(
            patient=patient,
            code=a.code,
            message=a.text[:300],
            params=dict(a.params),
            value=Decimal(f"{a.value:.1f}"),
            threshold=Decimal(f"{a.threshold:.1f}"),
            raised_on=on,
            record=record,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=alert,
            patient=patient,
            detail={"code": a.code, "message": a.text},
        )
        created.append(alert)
    return created


def nrs_screening_record(
    *,
    by: User,
    patient: Patient,
    screened_on: dt.date,
    nutritional_status: int,
    disease_severity: int,
) -> tuple[NRSScreening, list[NutritionAlert]]:
    """NRS-2002 (nutritional status + severity + 1 from age 70); at risk from 3 raises an alert."""
    problems: list[FieldProblem] = []
    _not_future(screened_on, "screened_on", problems)
    for name, value in (
        ("nutritional_status", nutritional_status),
        ("disease_severity", disease_severity),
    ):
        if value not in (0, 1, 2, 3):
            problems.append(FieldProblem(name, _("must be 0, 1, 2 or 3"), value))
    if problems:
        raise ValidationFailed(problems)
    result = calc.nrs2002(
        nutritional_status=nutritional_status,
        disease_severity=disease_severity,
        age_years=patient.age_on(screened_on),
    )
    with transaction.atomic():
        row = NRSScreening.objects.create(
            patient=patient,
            screened_on=screened_on,
            nutritional_status=nutritional_status,
            disease_severity=disease_severity,
            age_points=result.age_points,
            total=result.total,
            at_risk=result.at_risk,
            recorded_by=by,
        )
        audit_record(
            action=AuditAction.CREATE, obj=row, patient=patient, detail={"total": result.total}
        )
        alerts = _raise_alerts(
            patient=patient, record=None, height_cm=None, on=screened_on, nrs_total=result.total
        )
    return row, alerts


def milestone_record(
    *, by: User, patient: Patient, kind: str, occurred_on: dt.date, note: str = ""
) -> Milestone:
    """First oral intake, tube removal, full oral diet: each recorded once per patient."""
    problems: list[FieldProblem] = []
    kinds = [code for code, _label in calc.MILESTONES]
    if kind not in kinds:
        problems.append(
            FieldProblem(
                "kind", _("must be one of %(choices)s") % {"choices": ", ".join(kinds)}, kind
            )
        )
    _not_future(occurred_on, "occurred_on", problems)
    if problems:
        raise ValidationFailed(problems)
    try:
        with transaction.atomic():
            row = Milestone.objects.create(
                patient=patient,
                kind=kind,
                occurred_on=occurred_on,
                note=note.strip(),
                recorded_by=by,
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=row,
                patient=patient,
                detail={"kind": kind, "on": str(occurred_on)},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This milestone is already recorded."),
            rule="milestone_exists",
            problems=[FieldProblem("kind", _("is already recorded for this patient"), kind)],
        ) from exc
    return row


def nutrition_alert_handle(*, by: User, alert: NutritionAlert, status: str) -> NutritionAlert:
    """The dietitian acknowledges or resolves an alert."""
    if status not in (AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED):
        raise ValidationFailed.single("status", _("must be acknowledged or resolved"), status)
    with transaction.atomic():
        alert = (
            NutritionAlert.objects.select_for_update().select_related("patient").get(pk=alert.pk)
        )
        if alert.status == AlertStatus.RESOLVED:
            raise Conflict(_("The alert is already resolved."), rule="status")
        alert.status = status
        alert.handled_by = by
        alert.handled_at = timezone.now()
        alert.save(update_fields=["status", "handled_by", "handled_at", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=alert, patient=alert.patient, detail={"status": status}
        )
    return alert


# --- quality of life -----------------------------------------------------------------------


def qol_response_record(
    *,
    by: User | None,
    patient: Patient,
    questionnaire: Questionnaire,
    answered_on: dt.date,
    answers: dict[str, int | None],
) -> tuple[QoLResponse, list[QoLAlert]]:
    """Score by subscale; a drop of the configured points since the previous answer alerts the
    care team. `by` is None when the patient answered in the portal (issue 21)."""
    problems: list[FieldProblem] = []
    _not_future(answered_on, "answered_on", problems)
    if not questionnaire.active:
        problems.append(FieldProblem("questionnaire", _("is not active"), questionnaire.code))
    scores: dict[str, float | None] = {}
    try:
        scores = qol.score(questionnaire.definition, answers)
    except qol.QuestionnaireError as exc:
        problems.append(
            FieldProblem(f"answers.{exc.path}", _(exc.template) % exc.params, answers.get(exc.path))
        )
    if not problems and all(v is None for v in scores.values()):
        problems.append(
            FieldProblem("answers", _("answer at least half of the items of one subscale"))
        )
    if problems:
        raise ValidationFailed(problems)
    threshold = float(settings_get().qol_drop_points)
    with transaction.atomic():
        previous = (
            QoLResponse.objects.filter(
                patient=patient, questionnaire=questionnaire, answered_on__lte=answered_on
            )
            .order_by("-answered_on", "-id")
            .first()
        )
        response = QoLResponse.objects.create(
            patient=patient,
            questionnaire=questionnaire,
            answered_on=answered_on,
            answers=dict(answers),
            scores=scores,
            recorded_by=by,
        )
        audit_record(
            action=AuditAction.CREATE, obj=response, patient=patient, detail={"scores": scores}
        )
        alerts = []
        if previous is not None:
            for drop in qol.detect_drops(previous.scores, scores, threshold_points=threshold):
                alert = QoLAlert.objects.create(
                    patient=patient,
                    response=response,
                    subscale=drop.subscale,
                    previous=Decimal(f"{drop.previous:.1f}"),
                    current=Decimal(f"{drop.current:.1f}"),
                    points=Decimal(f"{drop.points:.1f}"),
                )
                audit_record(
                    action=AuditAction.CREATE,
                    obj=alert,
                    patient=patient,
                    detail={"subscale": drop.subscale, "drop": drop.points},
                )
                alerts.append(alert)
    return response, alerts


def qol_alert_handle(*, by: User, alert: QoLAlert, status: str) -> QoLAlert:
    """The care team acknowledges or resolves a quality-of-life drop."""
    if status not in (AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED):
        raise ValidationFailed.single("status", _("must be acknowledged or resolved"), status)
    with transaction.atomic():
        alert = QoLAlert.objects.select_for_update().select_related("patient").get(pk=alert.pk)
        if alert.status == AlertStatus.RESOLVED:
            raise Conflict(_("The alert is already resolved."), rule="status")
        alert.status = status
        alert.handled_by = by
        alert.handled_at = timezone.now()
        alert.save(update_fields=["status", "handled_by", "handled_at", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=alert, patient=alert.patient, detail={"status": status}
        )
    return alert
