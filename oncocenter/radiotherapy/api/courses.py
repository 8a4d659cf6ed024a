"""Courses: list, open, read, close, dose summary; on-treatment reviews and chart checks;
worklists and reference data."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.api._common import _get, _me, _read_course, _user, course_out
from oncocenter.radiotherapy.models import (
    ChecklistItem,
    Course,
    CtcaeTerm,
    Prescription,
)
from oncocenter.radiotherapy.schemas import (
    RtChartCheckIn,
    RtCourseCloseIn,
    RtCourseDetailOut,
    RtCourseIn,
    RtCourseOut,
    RtIdOut,
    RtInterruptionReviewIn,
    RtWeeklyReviewIn,
)

router = Router(tags=["radiotherapy"])


# --- courses ---------------------------------------------------------------------------------------------


@router.get("/courses", response=list[RtCourseOut])
@permission("rt.view")
def course_list(request: HttpRequest, mrn: str):
    """Radiotherapy courses of one patient."""
    patient = Patient.objects.filter(mrn=mrn).first()
    if patient is None:
        raise NotFound(_("No patient with MRN %(mrn)s.") % {"mrn": mrn})
    audit_record(action=AuditAction.READ, obj=patient, detail={"rt_courses": True})
    return [
        course_out(c)
        for c in selectors.courses_for_patient(patient=patient).select_related("physician")
    ]


@router.post("/courses", response={201: RtCourseOut})
@permission("rt.course.manage")
def course_create(request: HttpRequest, payload: RtCourseIn):
    patient = Patient.objects.filter(mrn=payload.mrn).first()
    if patient is None:
        raise ValidationFailed.single("mrn", _("no patient with this MRN"), payload.mrn)
    physician = _user(payload.physician, "physician")
    if physician is None:
        raise ValidationFailed.single("physician", _("is required"))
    course = s.course_create(
        patient=patient,
        label=payload.label,
        intent=payload.intent,
        physician=physician,
        by=_me(request),
        notes=payload.notes,
    )
    return Status(201, course_out(course))


@router.get("/courses/{course_id}", response=RtCourseDetailOut)
@permission("rt.view")
def course_detail(request: HttpRequest, course_id: int):
    return _read_course(_get(Course, course_id, "course"))


@router.post("/courses/{course_id}/close", response=RtCourseOut)
@permission("rt.course.manage")
def course_close(request: HttpRequest, course_id: int, payload: RtCourseCloseIn):
    course = s.course_close(
        course=_get(Course, course_id, "course"),
        by=_me(request),
        status=payload.status,
        reason=payload.reason,
    )
    return course_out(course)


@router.get("/courses/{course_id}/dose-summary")
@permission("rt.view")
def dose_summary(request: HttpRequest, course_id: int):
    """Delivered dose per prescription, interruptions, and cumulative EQD2 per organ."""
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


# --- on-treatment care -----------------------------------------------------------------------------------


@router.post("/courses/{course_id}/weekly-reviews", response={201: RtIdOut})
@permission("rt.review.record")
def weekly_review(request: HttpRequest, course_id: int, payload: RtWeeklyReviewIn):
    review = s.weekly_review_record(
        course=_get(Course, course_id, "course"),
        by=_me(request),
        reviewed_on=payload.reviewed_on,
        grades=payload.grades,
        notes=payload.notes,
        continue_treatment=payload.continue_treatment,
    )
    return Status(201, {"id": review.pk, "status": "signed"})


@router.post("/prescriptions/{rx_id}/interruption-reviews", response={201: RtIdOut})
@permission("rt.review.record")
def interruption_review(request: HttpRequest, rx_id: int, payload: RtInterruptionReviewIn):
    """Record the decision on the days lost (gap compensation or not)."""
    review = s.interruption_review_record(
        prescription=_get(Prescription, rx_id, "prescription"),
        by=_me(request),
        decision=payload.decision,
        note=payload.note,
    )
    return Status(201, {"id": review.pk, "status": review.decision})


@router.post("/courses/{course_id}/chart-checks", response={201: RtIdOut})
@permission("rt.physics.check")
def chart_check(request: HttpRequest, course_id: int, payload: RtChartCheckIn):
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
    "image-reviews",
)


@router.get("/worklists/{name}")
@permission("rt.view")
def worklist(request: HttpRequest, name: str):
    if name not in WORKLISTS:
        raise ValidationFailed.single(
            "name", _("must be one of %(choices)s") % {"choices": ", ".join(WORKLISTS)}, name
        )
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
@permission("rt.view")
def reference_checklist(request: HttpRequest, kind: str = "initial"):
    return [
        {"code": i.code, "kind": i.kind, "text": i.text, "text_ko": i.text_ko}
        for i in ChecklistItem.objects.filter(kind=kind, active=True).order_by("order")
    ]


@router.get("/reference/ctcae")
@permission("rt.view")
def reference_ctcae(request: HttpRequest):
    return [
        {"code": t.code, "term": t.term, "term_ko": t.term_ko, "grades": t.grades}
        for t in CtcaeTerm.objects.filter(active=True)
    ]
