"""Writes for follow-up: plan generation at the end of treatment, due items, events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import Slot
from oncocenter.clinics.services import appointment_book
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.followup import protocols
from oncocenter.followup.models import (
    DueItem,
    DueStatus,
    EventType,
    FollowUpEvent,
    FollowUpPlan,
    ProtocolTemplate,
    TemplateKind,
)
from oncocenter.oncology.models import Diagnosis
from oncocenter.oncology.services import disease_status_record
from oncocenter.patients.models import Patient


def _validate_definition(template: ProtocolTemplate) -> None:
    try:
        if template.kind == TemplateKind.LATE_EFFECTS:
            protocols.validate_late_effects(template.definition)
        else:
            protocols.validate_protocol(template.definition)
    except protocols.TemplateError as exc:
        raise ValidationFailed.single(f"definition.{exc.path}", exc.message) from exc


def protocol_template_update(
    *, by: User, template: ProtocolTemplate, definition: dict[str, Any], reviewed_by: str = ""
) -> ProtocolTemplate:
    """Replace a template's definition after validating it (the version is bumped);
    `reviewed_by` names the clinician who reviewed this version."""
    candidate = ProtocolTemplate(kind=template.kind, definition=definition)
    _validate_definition(candidate)
    if definition.get("code") != template.code:
        raise ValidationFailed.single(
            "definition.code",
            _("must stay %(code)s") % {"code": repr(template.code)},
            definition.get("code"),
        )
    with transaction.atomic():
        definition = {**definition, "version": int(template.definition.get("version", 1)) + 1}
        template.definition = definition
        template.name_en = definition["name"]["en"]
        template.name_ko = definition["name"]["ko"]
        template.reviewed_by = reviewed_by.strip()
        template.save()
        audit_record(
            action=AuditAction.UPDATE, obj=template, detail={"version": definition["version"]}
        )
    return template


def templates_applicable(*, icd10_code: str, modalities: list[str]) -> list[ProtocolTemplate]:
    """The active protocols that apply to this diagnosis and these treatments."""
    return [
        t
        for t in ProtocolTemplate.objects.filter(active=True, kind=TemplateKind.PROTOCOL)
        if protocols.applies(t.definition, icd10_code=icd10_code, modalities=modalities)
    ]


def _check_end(
    treatment_end: dt.date | None, today: dt.date, field: str = "treatment_end"
) -> dt.date:
    if treatment_end is None:
        raise ValidationFailed.single(field, _("is required"))
    if treatment_end > today:
        raise ValidationFailed.single(
            field,
            _("cannot be in the future: plans start at the end of treatment"),
            str(treatment_end),
        )
    return treatment_end


def _create_items(
    plan: FollowUpPlan, due: list[protocols.DueItem], *, rationale: bool = False
) -> None:
    DueItem.objects.bulk_create(
        DueItem(
            plan=plan,
            patient=plan.patient,
            item_code=d.item_code,
            kind=d.kind,
            name_en=d.name_en[:200],
            name_ko=d.name_ko[:200],
            rationale=(d.rationale_en if rationale else "")[:300],
            due_on=d.due_on,
            window_end=d.due_on + dt.timedelta(days=d.window_days),
            appointment_type=d.appointment_type,
        )
        for d in due
    )


def followup_plan_generate(
    *,
    by: User,
    patient: Patient,
    template: ProtocolTemplate,
    treatment_end: dt.date,
    treated_field: str = "",
    today: dt.date | None = None,
) -> FollowUpPlan:
    """Generate a plan from a protocol template, with all its due visits and tests."""
    today = today or timezone.localdate()
    _check_end(treatment_end, today)
    if template.kind != TemplateKind.PROTOCOL:
        raise ValidationFailed.single(
            "template",
            _("late-effect rules need exposures; use the survivorship form"),
            template.code,
        )
    if not template.active:
        raise ValidationFailed.single("template", _("is not active"), template.code)
    _validate_definition(template)
    context = {"field": treated_field.strip()} if treated_field.strip() else None
    due = protocols.generate_plan(template.definition, treatment_end=treatment_end, context=context)
    try:
        with transaction.atomic():
            plan = FollowUpPlan.objects.create(
                patient=patient,
                template=template,
                template_version=int(template.definition.get("version", 1)),
                treatment_end=treatment_end,
                treated_field=treated_field.strip(),
                created_by=by,
            )
            _create_items(plan, due)
            audit_record(
                action=AuditAction.CREATE,
                obj=plan,
                patient=patient,
                detail={
                    "template": template.code,
                    "treatment_end": str(treatment_end),
                    "items": len(due),
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This plan already exists for this end of treatment."),
            rule="plan_exists",
            problems=[
                FieldProblem(
                    "template", _("already has an active plan from this date"), template.code
                )
            ],
        ) from exc
    return plan


def followup_late_effects_generate(
    *,
    by: User,
    patient: Patient,
    template: ProtocolTemplate,
    therapy_end: dt.date,
    exposures: list[protocols.Exposure],
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> FollowUpPlan:
    """Generate a childhood-survivor screening plan from exposures (exposure -> test -> schedule)."""
    today = today or timezone.localdate()
    _check_end(therapy_end, today, "therapy_end")
    if template.kind != TemplateKind.LATE_EFFECTS:
        raise ValidationFailed.single("template", _("is not a late-effect rule set"), template.code)
    known = set(template.definition.get("exposures", {}))
    problems = [
        FieldProblem(
            f"exposures[{i}].code",
            _("unknown exposure; use %(codes)s") % {"codes": ", ".join(sorted(known))},
            e.code,
        )
        for i, e in enumerate(exposures)
        if e.code not in known
    ]
    problems += [
        FieldProblem(
            f"exposures[{i}].ended_on", _("cannot be after the end of therapy"), str(e.ended_on)
        )
        for i, e in enumerate(exposures)
        if e.ended_on > therapy_end
    ]
    problems += [
        FieldProblem(f"exposures[{i}].dose", _("must be zero or positive"), e.dose)
        for i, e in enumerate(exposures)
        if e.dose is not None and e.dose < 0
    ]
    if not exposures:
        problems.append(FieldProblem("exposures", _("at least one exposure is required")))
    if problems:
        raise ValidationFailed(problems)
    sex = {"female": "F", "male": "M"}.get(patient.sex, "")
    survivor = protocols.Survivor(patient.birth_date, sex, therapy_end, tuple(exposures))
    until = until or protocols.add_months(patient.birth_date, 12 * 45)
    due = protocols.merge_due(
        protocols.generate_late_effects(template.definition, survivor, until=until)
    )
    try:
        with transaction.atomic():
            plan = FollowUpPlan.objects.create(
                patient=patient,
                template=template,
                template_version=int(template.definition.get("version", 1)),
                treatment_end=therapy_end,
                created_by=by,
            )
            _create_items(plan, due, rationale=True)
            audit_record(
                action=AuditAction.CREATE,
                obj=plan,
                patient=patient,
                detail={
                    "template": template.code,
                    "exposures": [e.code for e in exposures],
                    "items": len(due),
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This plan already exists for this end of therapy."), rule="plan_exists"
        ) from exc
    return plan


def followup_plans_at_treatment_end(
    *,
    by: User,
    patient: Patient,
    icd10_code: str,
    modalities: list[str],
    treatment_end: dt.date,
    treated_field: str = "",
) -> list[FollowUpPlan]:
    """Every applicable protocol for this diagnosis and treatment, generated at once."""
    bad = [m for m in modalities if m not in protocols.MODALITIES]
    if bad:
        raise ValidationFailed.single(
            "modalities", _("use %(choices)s") % {"choices": ", ".join(protocols.MODALITIES)}, bad
        )
    templates = templates_applicable(icd10_code=icd10_code, modalities=modalities)
    if not templates:
        raise ValidationFailed.single(
            "icd10_code",
            _("no active protocol applies to this diagnosis and treatment"),
            icd10_code,
        )
    with transaction.atomic():
        return [
            followup_plan_generate(
                by=by,
                patient=patient,
                template=t,
                treatment_end=treatment_end,
                treated_field=treated_field,
            )
            for t in templates
        ]


def followup_plan_stop(*, by: User, plan: FollowUpPlan, reason: str) -> FollowUpPlan:
    """Stop an active plan; its items still due are cancelled."""
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required"))
    with transaction.atomic():
        plan = FollowUpPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != "active":
            raise Conflict(
                _("The plan is %(status)s.") % {"status": plan.get_status_display()},
                rule="status",
            )
        plan.status = "stopped"
        plan.stopped_reason = reason.strip()
        plan.save(update_fields=["status", "stopped_reason", "updated_at"])
        plan.items.filter(status=DueStatus.DUE).update(status=DueStatus.CANCELLED)
        audit_record(
            action=AuditAction.UPDATE,
            obj=plan,
            patient=plan.patient,
            detail={"stopped": reason.strip()},
        )
    return plan


def _item_status_conflict(item: DueItem) -> Conflict:
    return Conflict(
        _("The item is %(status)s.") % {"status": item.get_status_display()}, rule="status"
    )


def due_item_book(*, by: User, item: DueItem, slot: Slot) -> DueItem:
    """Book a clinic slot for a due visit (or a test reviewed at a visit)."""
    with transaction.atomic():
        item = DueItem.objects.select_for_update().select_related("patient").get(pk=item.pk)
        if item.status != DueStatus.DUE:
            raise _item_status_conflict(item)
        appt = appointment_book(
            by=by,
            slot=slot,
            patient=item.patient,
            appointment_type=item.appointment_type or "follow-up",
            reason=item.name_en,
            audit_detail={"followup_item": item.pk},
        )
        item.status = DueStatus.BOOKED
        item.appointment = appt
        item.save(update_fields=["status", "appointment", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=item, patient=item.patient, detail={"booked": appt.pk}
        )
    return item


def due_item_mark_done(*, by: User, item: DueItem, done_on: dt.date) -> DueItem:
    """The visit or test took place (outside a clinic appointment, or recorded by hand)."""
    if done_on > timezone.localdate():
        raise ValidationFailed.single("done_on", _("cannot be in the future"), str(done_on))
    with transaction.atomic():
        item = DueItem.objects.select_for_update().select_related("patient").get(pk=item.pk)
        if item.status not in (DueStatus.DUE, DueStatus.BOOKED):
            raise _item_status_conflict(item)
        item.status = DueStatus.DONE
        item.done_on = done_on
        item.save(update_fields=["status", "done_on", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=item,
            patient=item.patient,
            detail={"done_on": str(done_on)},
        )
    return item


def due_item_skip(*, by: User, item: DueItem, reason: str) -> DueItem:
    """Leave out a due item on purpose (the reason is audited)."""
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required"))
    with transaction.atomic():
        item = DueItem.objects.select_for_update().select_related("patient").get(pk=item.pk)
        if item.status not in (DueStatus.DUE, DueStatus.BOOKED):
            raise _item_status_conflict(item)
        item.status = DueStatus.SKIPPED
        item.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=item,
            patient=item.patient,
            detail={"skipped": reason.strip()},
        )
    return item


# --- reactions to clinic appointments (subscribed to clinics events in `subscribers.py`) ------


def due_items_appointment_completed(*, appointment_id: int, done_on: dt.date) -> int:
    """A completed clinic appointment fulfils the due items booked into it."""
    return DueItem.objects.filter(appointment_id=appointment_id, status=DueStatus.BOOKED).update(
        status=DueStatus.DONE, done_on=done_on, updated_at=timezone.now()
    )


def due_items_appointment_cancelled(*, appointment_id: int) -> int:
    """A cancelled appointment gives its booked due items back to the worklist (due again)."""
    return DueItem.objects.filter(appointment_id=appointment_id, status=DueStatus.BOOKED).update(
        status=DueStatus.DUE, appointment=None
    )


def due_items_appointment_moved(*, old_appointment_id: int, new_appointment_id: int) -> int:
    """A rescheduled appointment takes its due items along to the new booking."""
    return DueItem.objects.filter(appointment_id=old_appointment_id).update(
        appointment_id=new_appointment_id
    )


# Event type -> oncology.DiseaseStatus.status (mCODE-style codes of the clinical area). A second
# primary is a new diagnosis, not a status of the first one, so it records no status here.
DISEASE_STATUS_FOR_EVENT: dict[str, str] = {
    EventType.RECURRENCE: "relapse",
    EventType.PROGRESSION: "progressing",
}


def _record_disease_status(*, by: User, patient: Patient, event: FollowUpEvent) -> int | None:
    """Record the relapse in oncology.DiseaseStatus against the patient's primary diagnosis."""
    status = DISEASE_STATUS_FOR_EVENT.get(event.event_type)
    if status is None:
        return None
    diagnosis = (
        Diagnosis.objects.filter(patient=patient, diagnosed_on__lte=event.occurred_on)
        .order_by("-is_primary", "-diagnosed_on")
        .first()
    )
    if diagnosis is None:
        return None
    row = disease_status_record(
        diagnosis=diagnosis,
        status=status,
        observed_on=event.occurred_on,
        note=f"Follow-up event: {event.description}"[:300],
        by=by,
    )
    return row.pk


def followup_event_record(
    *,
    by: User,
    patient: Patient,
    event_type: str,
    occurred_on: dt.date,
    description: str,
    grade: int | None = None,
    plan: FollowUpPlan | None = None,
) -> FollowUpEvent:
    """Record a complication (graded 1-5) or a relapse; a relapse updates the disease status."""
    problems = []
    if event_type not in EventType.values:
        problems.append(
            FieldProblem(
                "event_type",
                _("must be one of %(choices)s") % {"choices": ", ".join(EventType.values)},
                event_type,
            )
        )
    if occurred_on is None:
        problems.append(FieldProblem("occurred_on", _("is required")))
    elif occurred_on > timezone.localdate():
        problems.append(FieldProblem("occurred_on", _("cannot be in the future"), str(occurred_on)))
    if grade is not None and not 1 <= grade <= 5:
        problems.append(FieldProblem("grade", _("must be a CTCAE grade from 1 to 5"), grade))
    if event_type == EventType.COMPLICATION and grade is None:
        problems.append(FieldProblem("grade", _("is required for a complication (CTCAE 1-5)")))
    if not description.strip():
        problems.append(FieldProblem("description", _("is required")))
    if plan is not None and plan.patient_id != patient.pk:
        problems.append(FieldProblem("plan", _("belongs to another patient"), plan.pk))
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        event = FollowUpEvent.objects.create(
            patient=patient,
            plan=plan,
            event_type=event_type,
            occurred_on=occurred_on,
            grade=grade,
            description=description.strip(),
            recorded_by=by,
        )
        status_id = _record_disease_status(by=by, patient=patient, event=event)
        if status_id:
            event.disease_status_id_ref = status_id
            event.save(update_fields=["disease_status_id_ref"])
        audit_record(
            action=AuditAction.CREATE,
            obj=event,
            patient=patient,
            detail={"type": event_type, "grade": grade, "disease_status": status_id},
        )
    return event
