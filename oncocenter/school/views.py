"""Pages of the hospital school. Each POST parses one form, calls one service through
``run_service`` and redirects; a refusal re-renders the page with the message beside the field
(status 422 for bad input, 409 for a state that forbids it; nothing saved)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import run_service, today
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


@require_POST
@permission_required("school.manage")
def school_class_create(request: HttpRequest) -> HttpResponse:
    form = forms.SchoolClassForm(request.POST)
    user = current_user(request)
    outcome = run_service(
        request,
        form,
        lambda: services.school_class_create(by=user, teacher=user, **form.cleaned_data),
        success=_("Class created."),
    )
    if outcome.ok:
        return redirect("school:index")
    return _school_page(request, outcome.status, class_form=form)


@require_POST
@permission_required("school.edit")
def school_enroll(request: HttpRequest) -> HttpResponse:
    form = forms.EnrollForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.school_enroll(
            patient=patient_from_mrn(form.cleaned_data["mrn"]),
            by=current_user(request),
            **form.data_without_mrn(),
        ),
        success=_("Enrolled."),
    )
    if outcome.ok and outcome.value is not None:
        return redirect("school:enrollment", pk=outcome.value.pk)
    return _school_page(request, outcome.status, enroll_form=form)


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


@require_POST
@permission_required("school.edit")
def enrollment_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    e = row(SchoolEnrollment, pk)
    form = forms.AttendanceForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.school_attendance_record(
            enrollment=e, by=current_user(request), **form.data_for_service()
        ),
        success=_("Attendance recorded."),
    )
    if outcome.ok:
        return redirect("school:enrollment", pk=pk)
    return _enrollment_page(request, e, outcome.status, attendance_form=form)


@require_POST
@permission_required("school.edit")
def enrollment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    e = row(SchoolEnrollment, pk)
    form = forms.ReturnPlanForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.return_plan_save(
            enrollment=e, by=current_user(request), **form.cleaned_data
        ),
        success=_("Return-to-school plan saved."),
    )
    if outcome.ok:
        return redirect("school:enrollment", pk=pk)
    return _enrollment_page(request, e, outcome.status, plan_form=form)
