"""JSON API for follow-up protocols, plans, due items, the overdue worklist and events."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import Slot
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.followup import selectors, services
from oncocenter.followup.models import DueItem, FollowUpPlan, ProtocolTemplate
from oncocenter.followup.protocols import Exposure
from oncocenter.followup.schemas import (
    DueItemBookIn,
    DueItemDoneIn,
    DueItemOut,
    FollowUpEventIn,
    FollowUpEventOut,
    FollowUpPlanIn,
    FollowUpPlanOut,
    FollowUpSlotSuggestionOut,
    LateEffectsPlanIn,
    ProtocolTemplateOut,
    ProtocolTemplatePut,
)
from oncocenter.patients.selectors import patient_get

router = Router(tags=["followup"])


def _by(request: HttpRequest) -> User:
    # TokenAuth (config/api.py) authenticates every request as a staff user.
    return cast(User, request.user)


def _template(code: str, field: str = "template") -> ProtocolTemplate:
    t = ProtocolTemplate.objects.filter(code=code).first()
    if t is None:
        raise ValidationFailed.single(field, _("no such template"), code)
    return t


def _template_out(t: ProtocolTemplate) -> dict[str, Any]:
    return {
        "code": t.code,
        "kind": t.kind,
        "name_en": t.name_en,
        "name_ko": t.name_ko,
        "version": int(t.definition.get("version", 1)),
        "active": t.active,
        "reviewed_by": t.reviewed_by,
        "definition": t.definition,
    }


def _item_out(i: DueItem) -> dict[str, Any]:
    return {
        "id": i.pk,
        "patient_mrn": i.patient.mrn,
        "plan_id": i.plan_id,
        "template": i.plan.template.code,
        "item_code": i.item_code,
        "kind": i.kind,
        "name_en": i.name_en,
        "name_ko": i.name_ko,
        "rationale": i.rationale,
        "due_on": i.due_on,
        "window_end": i.window_end,
        "status": i.status,
        "appointment_id": i.appointment_id,
    }


def _plan_out(p: FollowUpPlan) -> dict[str, Any]:
    items = (
        DueItem.objects.filter(plan=p)
        .select_related("patient", "plan__template")
        .order_by("due_on", "item_code")
    )
    return {
        "id": p.pk,
        "patient_mrn": p.patient.mrn,
        "template": p.template.code,
        "treatment_end": p.treatment_end,
        "treated_field": p.treated_field,
        "status": p.status,
        "items": [_item_out(i) for i in items],
    }


@router.get("/templates", response=list[ProtocolTemplateOut])
@permission("followup.view")
def templates(request: HttpRequest):
    return [_template_out(t) for t in ProtocolTemplate.objects.all()]


@router.put("/templates/{code}", response=ProtocolTemplateOut)
@permission("followup.template_edit")
def template_put(request: HttpRequest, code: str, payload: ProtocolTemplatePut):
    """Replace a template's definition (validated; version bumped)."""
    t = ProtocolTemplate.objects.filter(code=code).first()
    if t is None:
        raise NotFound(_("No template %(code)s.") % {"code": code})
    return _template_out(
        services.protocol_template_update(
            by=_by(request),
            template=t,
            definition=payload.definition,
            reviewed_by=payload.reviewed_by,
        )
    )


@router.post("/plans", response={201: list[FollowUpPlanOut]})
@permission("followup.manage")
def plan_create(request: HttpRequest, payload: FollowUpPlanIn):
    """Generate at the end of treatment: one template, or every template that applies."""
    patient = patient_get(mrn=payload.mrn, audit=False)
    if payload.template:
        plans = [
            services.followup_plan_generate(
                by=_by(request),
                patient=patient,
                template=_template(payload.template),
                treatment_end=payload.treatment_end,
                treated_field=payload.treated_field,
            )
        ]
    elif payload.icd10_code:
        plans = services.followup_plans_at_treatment_end(
            by=_by(request),
            patient=patient,
            icd10_code=payload.icd10_code,
            modalities=payload.modalities,
            treatment_end=payload.treatment_end,
            treated_field=payload.treated_field,
        )
    else:
        raise ValidationFailed.single(
            "template", _("give a template code, or icd10_code and modalities")
        )
    return Status(201, [_plan_out(p) for p in plans])


@router.post("/plans/late-effects", response={201: FollowUpPlanOut})
@permission("followup.manage")
def plan_late_effects(request: HttpRequest, payload: LateEffectsPlanIn):
    patient = patient_get(mrn=payload.mrn, audit=False)
    plan = services.followup_late_effects_generate(
        by=_by(request),
        patient=patient,
        template=_template(payload.template),
        therapy_end=payload.therapy_end,
        exposures=[Exposure(e.code, e.ended_on, e.dose, e.field) for e in payload.exposures],
    )
    return Status(201, _plan_out(plan))


@router.get("/patients/{mrn}/plans", response=list[FollowUpPlanOut])
@permission("followup.view")
def patient_plans(request: HttpRequest, mrn: str):
    patient = patient_get(mrn=mrn, audit=False)
    plans = selectors.patient_plans(patient=patient)
    audit_record(
        action=AuditAction.READ,
        patient=patient,
        object_type="followup.followupplan",
        detail={"plans": [p.pk for p in plans]},
    )
    return [_plan_out(p) for p in plans]


@router.get("/overdue", response=list[DueItemOut])
@permission("followup.view")
def overdue(request: HttpRequest, limit: int = 200):
    """Due items past their window, most overdue first."""
    if not 1 <= limit <= 1000:
        raise ValidationFailed.single("limit", _("must be between 1 and 1000"), limit)
    rows = list(selectors.overdue_items(limit=limit))
    audit_record(
        action=AuditAction.READ,
        object_type="followup.dueitem",
        detail={"worklist": "overdue", "mrns": sorted({i.patient.mrn for i in rows})},
    )
    return [_item_out(i) for i in rows]


def _item(pk: int) -> DueItem:
    item = DueItem.objects.select_related("patient", "plan__template").filter(pk=pk).first()
    if item is None:
        raise NotFound(_("No follow-up item %(id)s.") % {"id": pk})
    return item


@router.get("/items/{item_id}/suggestions", response=list[FollowUpSlotSuggestionOut])
@permission("clinic.view")
def suggestions(request: HttpRequest, item_id: int):
    return [
        {
            "slot_id": s.pk,
            "starts_at": s.starts_at,
            "physician": s.session.physician.username,
            "clinic": s.session.template.name,
        }
        for s in selectors.slot_suggestions(item=_item(item_id))
    ]


@router.post("/items/{item_id}/book", response=DueItemOut)
@permission("clinic.book")
def item_book(request: HttpRequest, item_id: int, payload: DueItemBookIn):
    slot = Slot.objects.filter(pk=payload.slot_id).first()
    if slot is None:
        raise ValidationFailed.single("slot_id", _("no such slot"), payload.slot_id)
    return _item_out(
        _item(services.due_item_book(by=_by(request), item=_item(item_id), slot=slot).pk)
    )


@router.post("/items/{item_id}/done", response=DueItemOut)
@permission("followup.manage")
def item_done(request: HttpRequest, item_id: int, payload: DueItemDoneIn):
    return _item_out(
        _item(
            services.due_item_mark_done(
                by=_by(request), item=_item(item_id), done_on=payload.done_on
            ).pk
        )
    )


@router.post("/events", response={201: FollowUpEventOut})
@permission("followup.manage")
def event_create(request: HttpRequest, payload: FollowUpEventIn):
    patient = patient_get(mrn=payload.mrn, audit=False)
    plan = None
    if payload.plan_id:
        plan = FollowUpPlan.objects.filter(pk=payload.plan_id).first()
        if plan is None:
            raise ValidationFailed.single("plan_id", _("no such plan"), payload.plan_id)
    e = services.followup_event_record(
        by=_by(request),
        patient=patient,
        event_type=payload.event_type,
        occurred_on=payload.occurred_on,
        description=payload.description,
        grade=payload.grade,
        plan=plan,
    )
    return Status(
        201,
        {
            "id": e.pk,
            "patient_mrn": patient.mrn,
            "event_type": e.event_type,
            "occurred_on": e.occurred_on,
            "grade": e.grade,
            "description": e.description,
            "disease_status_id": e.disease_status_id_ref,
        },
    )
