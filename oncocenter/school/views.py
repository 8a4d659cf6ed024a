"""Pages of the hospital school. Each POST parses one form, calls one service through
``run_service`` and redirects; a refusal re-renders the page with the message beside the field
(status 422 for bad input, 409 for a state that forbids it; nothing saved)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from oncocenter.audit.services import audit_record
from oncocenter.core.forms import today
from oncocenter.core.formviews import FormPage, Posted, to, to_new
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.pediatrics.forms import patient_from_mrn
from oncocenter.pediatrics.lookups import row
from oncocenter.school import forms, selectors, services
from oncocenter.school.models import SchoolClass, SchoolEnrollment


def _school_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    enrollments = list(selectors.open_enrollments())
    audit_record(
        action="read",
        object_type="support.school",
        detail={"count": len(enrollments), "mrns": [e.patient.mrn for e in enrollments]},
    )
    return render(
        request,
        "school/school.html",
        {
            "classes": SchoolClass.objects.filter(active=True).select_related("teacher"),
            "enrollments": enrollments,
            "can_edit": has_perm(request.user, "school.edit"),
            "can_manage": has_perm(request.user, "school.manage"),
            "class_form": bound.get("class_form") or forms.SchoolClassForm(),
            "enroll_form": bound.get("enroll_form")
            or forms.EnrollForm(initial={"enrolled_on": today()}),
        },
        status=status,
    )


@require_GET
@permission_required("school.view")
def school(request: HttpRequest) -> HttpResponse:
    return _school_page(request)


_index = FormPage(render=_school_page)


@_index.post(
    "school.manage",
    forms.SchoolClassForm,
    "class_form",
    gettext_lazy("Class created."),
    done=to("school:index"),
)
def school_class_create(p: Posted[forms.SchoolClassForm]) -> Any:
    return services.school_class_create(by=p.by, teacher=p.by, **p.data)


@_index.post(
    "school.edit",
    forms.EnrollForm,
    "enroll_form",
    gettext_lazy("Enrolled."),
    done=to_new("school:enrollment"),
)
def school_enroll(p: Posted[forms.EnrollForm]) -> Any:
    return services.school_enroll(
        patient=patient_from_mrn(p.data["mrn"]), by=p.by, **p.form.data_without_mrn()
    )


def _enrollment_page(
    request: HttpRequest, e: SchoolEnrollment, status: int = 200, **bound: Any
) -> HttpResponse:
    plan = getattr(e, "return_plan", None)
    att = list(e.attendance.all())
    return render(
        request,
        "school/enrollment.html",
        {
            "e": e,
            "patient": e.patient,
            "attendance": att,
            "present_days": sum(1 for a in att if a.status == "present"),
            "present_admitted": sum(1 for a in att if a.status == "present" and a.during_admission),
            "plan": plan,
            "can_edit": has_perm(request.user, "school.edit"),
            "attendance_form": bound.get("attendance_form")
            or forms.AttendanceForm(initial={"on": today(), "minutes": 60}),
            "plan_form": bound.get("plan_form")
            or forms.ReturnPlanForm(
                initial={
                    "planned_return_on": plan.planned_return_on if plan else None,
                    "school_contact": plan.school_contact if plan else "",
                    "accommodations": plan.accommodations if plan else "",
                    "status": plan.status if plan else "draft",
                }
            ),
        },
        status=status,
    )


@require_GET
@permission_required("school.view")
def enrollment(request: HttpRequest, pk: int) -> HttpResponse:
    e = row(SchoolEnrollment, pk)
    audit_record(action="read", obj=e, patient=e.patient)
    return _enrollment_page(request, e)


_enrollment = FormPage(
    render=_enrollment_page, load=lambda pk: row(SchoolEnrollment, pk), done="school:enrollment"
)


@_enrollment.post(
    "school.edit",
    forms.AttendanceForm,
    "attendance_form",
    gettext_lazy("Attendance recorded."),
)
def enrollment_attendance(p: Posted[forms.AttendanceForm]) -> Any:
    return services.school_attendance_record(enrollment=p.obj, by=p.by, **p.form.data_for_service())


@_enrollment.post(
    "school.edit",
    forms.ReturnPlanForm,
    "plan_form",
    gettext_lazy("Return-to-school plan saved."),
)
def enrollment_plan(p: Posted[forms.ReturnPlanForm]) -> Any:
    return services.return_plan_save(enrollment=p.obj, by=p.by, **p.data)
