"""JSON API of the radiotherapy course (mounted at /api/radiotherapy/).

Each endpoint checks the permission first, parses, calls one service and answers; interlocks come
back as problem JSON (409 with the rule's code, 422 naming the field, 403 naming the permission).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.machines.models import Machine
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import (
    ChecklistItem,
    Course,
    CtcaeTerm,
    Delivery,
    Fraction,
    Plan,
    Prescription,
)
from oncocenter.radiotherapy.schemas import (
    BrachyIn,
    ChartCheckIn,
    ChecklistIn,
    CorrectionIn,
    CourseCloseIn,
    CourseDetailOut,
    CourseIn,
    CourseOut,
    DeliveryIn,
    DeliveryOut,
    IdOut,
    InterruptionReviewIn,
    OrganDosesIn,
    OverrideIn,
    PlanIn,
    PlanOut,
    PlanPatch,
    PrescriptionIn,
    PrescriptionOut,
    PrescriptionPatch,
    PsqaIn,
    ReasonIn,
    ScheduleIn,
    SignatureOut,
    WeeklyReviewIn,
)

router = Router(tags=["radiotherapy"])


def _me(request: HttpRequest) -> User:
    """The signed-in staff member (the API's auth guarantees one)."""
    return cast(User, request.user)


# --- lookups (404 naming what was not found) --------------------------------------------------------------


def _get(model, pk: int, label: str):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No {label} with id {pk}.")
    return obj


def _machine(code: str, field: str = "machine") -> Machine:
    m = Machine.objects.filter(code=code).first()
    if m is None:
        raise ValidationFailed.single(field, "unknown machine code", code)
    return m


def _user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    u = User.objects.filter(username=username, is_active=True).first()
    if u is None:
        raise ValidationFailed.single(field, "unknown user", username)
    return u


# --- serialisers ---------------------------------------------------------------------------------------


def sig_out(sig) -> dict[str, Any]:
    return {
        "id": sig.pk,
        "meaning": sig.meaning,
        "signer": sig.signer.username,
        "signer_role": sig.signer_role,
        "credential_number": sig.credential_number,
        "signed_at": sig.signed_at,
        "signed_version": sig.signed_version,
        "voided_at": sig.voided_at,
        "voided_reason": sig.voided_reason,
    }


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "label": plan.label,
        "machine": plan.machine.code,
        "technique": plan.technique,
        "fractions_planned": plan.fractions_planned,
        "dose_per_fraction_gy": plan.dose_per_fraction_gy,
        "meterset_per_fraction": plan.meterset_per_fraction,
        "status": plan.status,
        "version": plan.version,
        "planner": plan.planner.username,
        "readiness": selectors.plan_readiness(plan=plan),
        "dicom_sop_instance_uid": plan.dicom_sop_instance_uid,
    }


def fraction_out(f: Fraction) -> dict[str, Any]:
    return {
        "id": f.pk,
        "sequence": f.sequence,
        "scheduled_date": f.scheduled_date,
        "machine": f.machine.code if f.machine else None,
        "status": f.status,
        "delivered_number": f.delivered_number,
        "meterset_delivered": f.meterset_delivered,
        "dose_delivered_gy": f.dose_delivered_gy,
    }


def rx_out(rx: Prescription) -> dict[str, Any]:
    return {
        "id": rx.pk,
        "site": rx.site,
        "technique": rx.technique,
        "energy": rx.energy,
        "dose_per_fraction_gy": rx.dose_per_fraction_gy,
        "number_of_fractions": rx.number_of_fractions,
        "total_dose_gy": rx.total_dose_gy,
        "pattern": rx.pattern,
        "intent": rx.intent,
        "status": rx.status,
        "version": rx.version,
        "fractions_delivered": rx.fractions_delivered,
        "gap_sensitive_site": rx.gap_sensitive_site,
        "icd10_code": rx.icd10_code,
        "diagnosis": rx.diagnosis_id,
        "plans": [
            plan_out(p) for p in rx.plans.select_related("machine", "planner").order_by("pk")
        ],
        "fractions": [
            fraction_out(f) for f in rx.fractions.select_related("machine").order_by("sequence")
        ],
    }


def course_out(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "mrn": course.patient.mrn,
        "number": course.number,
        "label": course.label,
        "intent": course.intent,
        "status": course.status,
        "physician": course.physician.username,
        "is_reirradiation": course.is_reirradiation,
        "started_on": course.started_on,
        "ended_on": course.ended_on,
    }


def delivery_out(d: Delivery) -> dict[str, Any]:
    rx = d.fraction.prescription
    rx.refresh_from_db(fields=["fractions_delivered"])
    return {
        "id": d.pk,
        "fraction": d.fraction_id,
        "fraction_number": d.fraction.delivered_number,
        "delivered_at": d.delivered_at,
        "machine": d.machine.code,
        "meterset_delivered": d.meterset_delivered,
        "dose_delivered_gy": d.dose_delivered_gy,
        "partial": d.partial,
        "status": d.status,
        "identifiers_confirmed": d.identifiers_confirmed,
        "replaces": d.replaces_id,
        "fractions_delivered": rx.fractions_delivered,
        "fractions_prescribed": rx.number_of_fractions,
    }


def _read_course(course: Course) -> dict[str, Any]:
    audit_record(action=AuditAction.READ, obj=course, patient=course.patient)
    data = course_out(course)
    data["prescriptions"] = [rx_out(rx) for rx in course.prescriptions.order_by("pk")]
    data["signatures"] = [sig_out(x) for x in selectors.signatures_for_course(course=course)]
    return data


# --- courses ---------------------------------------------------------------------------------------------


@router.get("/courses", response=list[CourseOut])
def course_list(request: HttpRequest, mrn: str):
    """Radiotherapy courses of one patient."""
    require(request.user, "rt.view")
    patient = Patient.objects.filter(mrn=mrn).first()
    if patient is None:
        raise NotFound(f"No patient with MRN {mrn}.")
    audit_record(action=AuditAction.READ, obj=patient, detail={"rt_courses": True})
    return [
        course_out(c)
        for c in selectors.courses_for_patient(patient=patient).select_related("physician")
    ]


@router.post("/courses", response={201: CourseOut})
def course_create(request: HttpRequest, payload: CourseIn):
    require(request.user, "rt.course.manage")
    patient = Patient.objects.filter(mrn=payload.mrn).first()
    if patient is None:
        raise ValidationFailed.single("mrn", "no patient with this MRN", payload.mrn)
    physician = _user(payload.physician, "physician")
    if physician is None:
        raise ValidationFailed.single("physician", "is required")
    course = s.course_create(
        patient=patient,
        label=payload.label,
        intent=payload.intent,
        physician=physician,
        by=_me(request),
        notes=payload.notes,
    )
    return Status(201, course_out(course))


@router.get("/courses/{course_id}", response=CourseDetailOut)
def course_detail(request: HttpRequest, course_id: int):
    require(request.user, "rt.view")
    return _read_course(_get(Course, course_id, "course"))


@router.post("/courses/{course_id}/close", response=CourseOut)
def course_close(request: HttpRequest, course_id: int, payload: CourseCloseIn):
    require(request.user, "rt.course.manage")
    course = s.course_close(
        course=_get(Course, course_id, "course"),
        by=_me(request),
        status=payload.status,
        reason=payload.reason,
    )
    return course_out(course)


@router.get("/courses/{course_id}/dose-summary")
def dose_summary(request: HttpRequest, course_id: int):
    """Delivered dose per prescription, interruptions, and cumulative EQD2 per organ."""
    require(request.user, "rt.view")
    course = _get(Course, course_id, "course")
    audit_record(
        action=AuditAction.READ, obj=course, patient=course.patient, detail={"dose_summary": True}
    )
    out = []
    for row in selectors.dose_summary(course=course):
        rx = row.pop("prescription")
        report = selectors.prescription_interruptions(rx=rx)
        plan = selectors.current_plan(rx)
        cumulative = {}
        if plan is not None:
            for metric in ("Dmax", "Dmean"):
                data = selectors.cumulative_for_plan(plan=plan, metric=metric)
                cumulative[metric] = {k: round(v.eqd2_gy, 2) for k, v in data["organs"].items()}
        out.append(
            {
                **{k: (str(v) if hasattr(v, "quantize") else v) for k, v in row.items()},
                "prescription_id": rx.pk,
                "interruptions": {
                    "days_lost": report.days_lost,
                    "compensation_needed": report.compensation_needed,
                    "gaps": [
                        {"from": g.first_missed, "to": g.last_missed, "days": g.open_days_lost}
                        for g in report.gaps
                    ],
                },
                "cumulative_eqd2_gy": cumulative,
            }
        )
    return {"course": course.pk, "prescriptions": out}


# --- prescriptions ---------------------------------------------------------------------------------------


@router.post("/courses/{course_id}/prescriptions", response={201: PrescriptionOut})
def prescription_create(request: HttpRequest, course_id: int, payload: PrescriptionIn):
    require(request.user, "rt.prescription.write")
    rx = s.prescription_create(
        course=_get(Course, course_id, "course"),
        by=_me(request),
        **payload.dict(exclude_none=True),
    )
    return Status(201, rx_out(rx))


@router.patch("/prescriptions/{rx_id}", response=PrescriptionOut)
def prescription_update(request: HttpRequest, rx_id: int, payload: PrescriptionPatch):
    require(request.user, "rt.prescription.write")
    rx = s.prescription_update(
        prescription=_get(Prescription, rx_id, "prescription"),
        by=_me(request),
        **payload.dict(exclude_unset=True),
    )
    return rx_out(rx)


@router.post("/prescriptions/{rx_id}/sign", response={201: SignatureOut})
def prescription_sign(request: HttpRequest, rx_id: int):
    require(request.user, "rt.prescription.sign")
    sig = s.prescription_sign(
        prescription=_get(Prescription, rx_id, "prescription"), by=_me(request)
    )
    return Status(201, sig_out(sig))


# --- plans -----------------------------------------------------------------------------------------------


@router.post("/prescriptions/{rx_id}/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, rx_id: int, payload: PlanIn):
    require(request.user, "rt.plan.write")
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


@router.post("/prescriptions/{rx_id}/plans/import", response={201: PlanOut})
def plan_import(
    request: HttpRequest,
    rx_id: int,
    file: File[UploadedFile],
    fraction_group: Form[int | None] = None,
):
    """Import a DICOM RT Plan file; rejected (409, every mismatch listed) unless it matches."""
    require(request.user, "rt.plan.write")
    if file.size and file.size > 20 * 1024 * 1024:
        raise ValidationFailed.single("file", "is larger than 20 MB", file.size)
    plan = s.plan_import_dicom(
        prescription=_get(Prescription, rx_id, "prescription"),
        by=_me(request),
        content=file.read(),
        fraction_group=fraction_group,
    )
    return Status(201, plan_out(plan))


@router.patch("/plans/{plan_id}", response=PlanOut)
def plan_update(request: HttpRequest, plan_id: int, payload: PlanPatch):
    require(request.user, "rt.plan.write")
    data = payload.dict(exclude_unset=True)
    if "machine" in data:
        data["machine"] = _machine(data["machine"])
    plan = s.plan_update(plan=_get(Plan, plan_id, "plan"), by=_me(request), **data)
    return plan_out(plan)


@router.put("/plans/{plan_id}/organ-doses", response=PlanOut)
def plan_organ_doses(request: HttpRequest, plan_id: int, payload: OrganDosesIn):
    require(request.user, "rt.plan.write")
    plan = s.plan_set_organ_doses(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        doses=[d.dict() for d in payload.doses],
        source=payload.source,
    )
    return plan_out(plan)


@router.post("/plans/{plan_id}/organ-doses/dvh", response=PlanOut)
def plan_organ_doses_dvh(request: HttpRequest, plan_id: int, file: File[UploadedFile]):
    """Planned organ doses from a DVH text export (Eclipse layout: Structure / Max / Mean / table)."""
    require(request.user, "rt.plan.write")
    if file.size and file.size > 20 * 1024 * 1024:
        raise ValidationFailed.single("file", "is larger than 20 MB", file.size)
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.single("file", "must be UTF-8 text") from None
    plan = s.plan_import_dvh(plan=_get(Plan, plan_id, "plan"), by=_me(request), text=text)
    return plan_out(plan)


@router.get("/plans/{plan_id}/constraints")
def plan_constraints(request: HttpRequest, plan_id: int):
    """Planned OAR doses against the constraint set, and cumulative EQD2 for re-irradiation."""
    require(request.user, "rt.view")
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


@router.post("/plans/{plan_id}/overrides", response={201: IdOut})
def override_sign(request: HttpRequest, plan_id: int, payload: OverrideIn):
    require(request.user, "rt.override.sign")
    ov = s.dose_override_sign(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        organ=payload.organ,
        metric=payload.metric,
        cumulative=payload.cumulative,
        justification=payload.justification,
    )
    return Status(201, {"id": ov.pk, "status": "signed"})


@router.post("/plans/{plan_id}/approve", response={201: SignatureOut})
def plan_approve(request: HttpRequest, plan_id: int):
    require(request.user, "rt.plan.approve")
    return Status(201, sig_out(s.plan_approve(plan=_get(Plan, plan_id, "plan"), by=_me(request))))


@router.post("/plans/{plan_id}/physics-check", response={201: IdOut})
def physics_check(request: HttpRequest, plan_id: int, payload: ChecklistIn):
    require(request.user, "rt.physics.check")
    check = s.physics_check_record(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        results=payload.results,
        comment=payload.comment,
    )
    return Status(201, {"id": check.pk, "status": "passed" if check.passed else "failed"})


@router.post("/plans/{plan_id}/psqa", response={201: IdOut})
def psqa(request: HttpRequest, plan_id: int, payload: PsqaIn):
    require(request.user, "rt.psqa.record")
    qa = s.psqa_record(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        method=payload.method,
        passing_rate_pct=payload.passing_rate_pct,
        action_limit_pct=payload.action_limit_pct,
        comment=payload.comment,
    )
    return Status(201, {"id": qa.pk, "status": "passed" if qa.passed else "failed"})


@router.post("/plans/{plan_id}/schedule", response={201: list[IdOut]})
def schedule(request: HttpRequest, plan_id: int, payload: ScheduleIn):
    require(request.user, "rt.schedule")
    machine = _machine(payload.machine) if payload.machine else None
    fractions = s.fractions_schedule(
        plan=_get(Plan, plan_id, "plan"),
        by=_me(request),
        start_date=payload.start_date,
        machine=machine,
    )
    return Status(201, [{"id": f.pk, "status": f.status} for f in fractions])


# --- sessions and deliveries -------------------------------------------------------------------------------


@router.post("/fractions/{fraction_id}/deliveries", response={201: DeliveryOut})
def delivery_record(request: HttpRequest, fraction_id: int, payload: DeliveryIn):
    """Record a treated or partially treated session (every interlock checked)."""
    require(request.user, "rt.delivery.record")
    d = s.fraction_record_delivery(
        fraction=_get(Fraction, fraction_id, "fraction"),
        by=_me(request),
        delivered_at=payload.delivered_at,
        machine=_machine(payload.machine),
        identifiers=payload.identifiers,
        meterset_delivered=payload.meterset_delivered,
        partial=payload.partial,
        notes=payload.notes,
    )
    return Status(201, delivery_out(d))


@router.post("/fractions/{fraction_id}/missed", response=IdOut)
def fraction_missed(request: HttpRequest, fraction_id: int, payload: ReasonIn):
    require(request.user, "rt.schedule")
    f = s.fraction_mark_missed(
        fraction=_get(Fraction, fraction_id, "fraction"), by=_me(request), reason=payload.reason
    )
    return {"id": f.pk, "status": f.status}


@router.put("/fractions/{fraction_id}/brachy", response=IdOut)
def brachy(request: HttpRequest, fraction_id: int, payload: BrachyIn):
    require(request.user, "rt.brachy.record")
    session = s.brachy_session_set(
        fraction=_get(Fraction, fraction_id, "fraction"),
        by=_me(request),
        applicator=payload.applicator,
        room=payload.room,
        afterloader=_machine(payload.afterloader, "afterloader"),
        anesthesia=payload.anesthesia,
        physician_present=_user(payload.physician_present, "physician_present"),
        physicist_present=_user(payload.physicist_present, "physicist_present"),
        anesthesiologist=_user(payload.anesthesiologist, "anesthesiologist"),
        notes=payload.notes,
    )
    return {"id": session.pk, "status": "recorded"}


@router.post("/deliveries/{delivery_id}/entered-in-error", response=DeliveryOut)
def delivery_in_error(request: HttpRequest, delivery_id: int, payload: ReasonIn):
    require(request.user, "rt.delivery.correct")
    d = s.delivery_mark_entered_in_error(
        delivery=_get(Delivery, delivery_id, "delivery"), by=_me(request), reason=payload.reason
    )
    return delivery_out(d)


@router.post("/deliveries/{delivery_id}/correct", response={201: DeliveryOut})
def delivery_correct(request: HttpRequest, delivery_id: int, payload: CorrectionIn):
    require(request.user, "rt.delivery.correct")
    d = s.delivery_correct(
        delivery=_get(Delivery, delivery_id, "delivery"),
        by=_me(request),
        reason=payload.reason,
        meterset_delivered=payload.meterset_delivered,
        delivered_at=payload.delivered_at,
        partial=payload.partial,
    )
    return Status(201, delivery_out(d))


# --- on-treatment care -----------------------------------------------------------------------------------


@router.post("/courses/{course_id}/weekly-reviews", response={201: IdOut})
def weekly_review(request: HttpRequest, course_id: int, payload: WeeklyReviewIn):
    require(request.user, "rt.review.record")
    review = s.weekly_review_record(
        course=_get(Course, course_id, "course"),
        by=_me(request),
        reviewed_on=payload.reviewed_on,
        grades=payload.grades,
        notes=payload.notes,
        continue_treatment=payload.continue_treatment,
    )
    return Status(201, {"id": review.pk, "status": "signed"})


@router.post("/prescriptions/{rx_id}/interruption-reviews", response={201: IdOut})
def interruption_review(request: HttpRequest, rx_id: int, payload: InterruptionReviewIn):
    """Record the decision on the days lost (gap compensation or not)."""
    require(request.user, "rt.review.record")
    review = s.interruption_review_record(
        prescription=_get(Prescription, rx_id, "prescription"),
        by=_me(request),
        decision=payload.decision,
        note=payload.note,
    )
    return Status(201, {"id": review.pk, "status": review.decision})


@router.post("/courses/{course_id}/chart-checks", response={201: IdOut})
def chart_check(request: HttpRequest, course_id: int, payload: ChartCheckIn):
    require(request.user, "rt.physics.check")
    check = s.chart_check_record(
        course=_get(Course, course_id, "course"),
        by=_me(request),
        kind=payload.kind,
        results=payload.results,
        comment=payload.comment,
    )
    return Status(201, {"id": check.pk, "status": "passed" if check.passed else "failed"})


# --- worklists and reference data ------------------------------------------------------------------------

WORKLISTS = (
    "prescriptions-to-sign",
    "plans-to-approve",
    "physics-checks-due",
    "weekly-reviews-due",
    "interruptions",
    "overrides",
    "treat-today",
)


@router.get("/worklists/{name}")
def worklist(request: HttpRequest, name: str):
    require(request.user, "rt.view")
    if name not in WORKLISTS:
        raise ValidationFailed.single("name", f"must be one of {', '.join(WORKLISTS)}", name)
    from oncocenter.radiotherapy.worklists import worklist_rows

    rows = worklist_rows(name)
    audit_record(
        action=AuditAction.SEARCH,
        object_type="radiotherapy.worklist",
        object_id=name,
        detail={"mrns": sorted({r["mrn"] for r in rows})[:200]},
    )
    return {"name": name, "items": rows}


@router.get("/reference/checklist")
def reference_checklist(request: HttpRequest, kind: str = "initial"):
    require(request.user, "rt.view")
    return [
        {"code": i.code, "kind": i.kind, "text": i.text, "text_ko": i.text_ko}
        for i in ChecklistItem.objects.filter(kind=kind, active=True).order_by("order")
    ]


@router.get("/reference/ctcae")
def reference_ctcae(request: HttpRequest):
    require(request.user, "rt.view")
    return [
        {"code": t.code, "term": t.term, "term_ko": t.term_ko, "grades": t.grades}
        for t in CtcaeTerm.objects.filter(active=True)
    ]
