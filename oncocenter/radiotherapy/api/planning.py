"""Prescriptions and plans: write, edit, sign, import, organ doses, overrides, checks, QA."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import ValidationFailed
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.api._common import (
    _get,
    _machine,
    _me,
    _upload,
    plan_out,
    rx_out,
    sig_out,
)
from oncocenter.radiotherapy.models import (
    Course,
    Plan,
    Prescription,
)
from oncocenter.radiotherapy.schemas import (
    RtChecklistIn,
    RtIdOut,
    RtOrganDosesIn,
    RtOverrideIn,
    RtPlanIn,
    RtPlanOut,
    RtPlanPatch,
    RtPrescriptionIn,
    RtPrescriptionOut,
    RtPrescriptionPatch,
    RtPsqaIn,
    RtScheduleIn,
    RtSignatureOut,
)

router = Router(tags=["radiotherapy"])


# --- prescriptions ---------------------------------------------------------------------------------------


@router.post("/courses/{course_id}/prescriptions", response={201: RtPrescriptionOut})
@permission("rt.prescription.write")
def prescription_create(request: HttpRequest, course_id: int, payload: RtPrescriptionIn):
    rx = s.prescription_create(
        course=_get(Course, course_id, "course"),
        by=_me(request),
        **payload.dict(exclude_none=True),
    )
    return Status(201, rx_out(rx))


@router.patch("/prescriptions/{rx_id}", response=RtPrescriptionOut)
@permission("rt.prescription.write")
def prescription_update(request: HttpRequest, rx_id: int, payload: RtPrescriptionPatch):
    rx = s.prescription_update(
        prescription=_get(Prescription, rx_id, "prescription"),
        by=_me(request),
        **payload.dict(exclude_unset=True),
    )
    return rx_out(rx)


@router.post("/prescriptions/{rx_id}/sign", response={201: RtSignatureOut})
@permission("rt.prescription.sign")
def prescription_sign(request: HttpRequest, rx_id: int):
    sig = s.prescription_sign(
        prescription=_get(Prescription, rx_id, "prescription"), by=_me(request)
    )
    return Status(201, sig_out(sig))


# --- plans -----------------------------------------------------------------------------------------------


@router.post("/prescriptions/{rx_id}/plans", response={201: RtPlanOut})
@permission("rt.plan.write")
def plan_create(request: HttpRequest, rx_id: int, payload: RtPlanIn):
    plan = s.plan_create(
        prescription=_get(Prescription, rx_id, "prescription"),
        by=_me(request),
        label=payload.label,
        machine=_machine(payload.machine),
        fractions_planned=payload.fractions_planned,
        dose_per_fraction_gy=payload.dose_per_fraction_gy,
        meterset_per_fraction=payload.meterset_per_fraction,
    )
    return Status(201, plan_out(plan))


@router.patch("/plans/{plan_id}", response=RtPlanOut)
@permission("rt.plan.write")
def plan_update(request: HttpRequest, plan_id: int, payload: RtPlanPatch):
    data = payload.dict(exclude_unset=True)
    if "machine" in data:
        data["machine"] = _machine(data["machine"])
    plan = s.plan_update(plan=_get(Plan, plan_id, "plan"), by=_me(request), **data)
    return plan_out(plan)


@router.put("/plans/{plan_id}/organ-doses", response=RtPlanOut)
@permission("rt.plan.write")
def plan_organ_doses(request: HttpRequest, plan_id: int, payload: RtOrganDosesIn):
    plan = s.plan_set_organ_doses(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        doses=[d.dict() for d in payload.doses],
        source=payload.source,
    )
    return plan_out(plan)


@router.post("/plans/{plan_id}/organ-doses/dvh", response=RtPlanOut)
@permission("rt.plan.write")
def plan_organ_doses_dvh(request: HttpRequest, plan_id: int, file: File[UploadedFile]):
    """Planned organ doses from a DVH text export (Eclipse layout: Structure / Max / Mean / table)."""
    content = _upload(file)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.single("file", _("must be UTF-8 text")) from None
    plan = s.plan_import_dvh(plan=_get(Plan, plan_id, "plan"), by=_me(request), text=text)
    return plan_out(plan)


@router.get("/plans/{plan_id}/constraints")
@permission("rt.view")
def plan_constraints(request: HttpRequest, plan_id: int):
    """Planned OAR doses against the constraint set, and cumulative EQD2 for re-irradiation."""
    plan = _get(Plan, plan_id, "plan")
    audit_record(
        action=AuditAction.READ,
        obj=plan,
        patient=plan.prescription.course.patient,
        detail={"constraints": True},
    )
    res = selectors.plan_constraint_results(plan=plan)

    def row(r):
        return {
            "organ": r.constraint.organ,
            "metric": r.constraint.metric,
            "limit": r.constraint.limit,
            "comparator": r.constraint.comparator,
            "unit": r.constraint.unit,
            "value": r.value,
            "status": r.status,
        }

    return {
        "planned": [row(r) for r in res["planned"]],
        "cumulative": [row(r) for r in res["cumulative"]],
        "failures": [
            {**f, "override": f["override"].pk if f["override"] else None}
            for f in selectors.plan_constraint_failures(plan=plan)
        ],
    }


@router.post("/plans/{plan_id}/overrides", response={201: RtIdOut})
@permission("rt.override.sign")
def override_sign(request: HttpRequest, plan_id: int, payload: RtOverrideIn):
    ov = s.dose_override_sign(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        organ=payload.organ,
        metric=payload.metric,
        cumulative=payload.cumulative,
        justification=payload.justification,
    )
    return Status(201, {"id": ov.pk, "status": "signed"})


@router.post("/plans/{plan_id}/approve", response={201: RtSignatureOut})
@permission("rt.plan.approve")
def plan_approve(request: HttpRequest, plan_id: int):
    return Status(201, sig_out(s.plan_approve(plan=_get(Plan, plan_id, "plan"), by=_me(request))))


@router.post("/plans/{plan_id}/physics-check", response={201: RtIdOut})
@permission("rt.physics.check")
def physics_check(request: HttpRequest, plan_id: int, payload: RtChecklistIn):
    check = s.physics_check_record(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        results=payload.results,
        comment=payload.comment,
    )
    return Status(201, {"id": check.pk, "status": "passed" if check.passed else "failed"})


@router.post("/plans/{plan_id}/psqa", response={201: RtIdOut})
@permission("rt.psqa.record")
def psqa(request: HttpRequest, plan_id: int, payload: RtPsqaIn):
    qa = s.psqa_record(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        method=payload.method,
        passing_rate_pct=payload.passing_rate_pct,
        action_limit_pct=payload.action_limit_pct,
        comment=payload.comment,
    )
    return Status(201, {"id": qa.pk, "status": "passed" if qa.passed else "failed"})


@router.post("/plans/{plan_id}/schedule", response={201: list[RtIdOut]})
@permission("rt.schedule")
def schedule(request: HttpRequest, plan_id: int, payload: RtScheduleIn):
    machine = _machine(payload.machine) if payload.machine else None
    fractions = s.fractions_schedule(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        start_date=payload.start_date,
        machine=machine,
    )
    return Status(201, [{"id": f.pk, "status": f.status} for f in fractions])
