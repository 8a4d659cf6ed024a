"""Worklists, a patient's courses (open one), and the printable treatment summary."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import run_service
from oncocenter.core.permissions import active_role, has_perm, require
from oncocenter.core.roles import Role
from oncocenter.core.views import permission_required
from oncocenter.patients.selectors import patient_get
from oncocenter.radiotherapy import forms as f
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.pdf import summary_context
from oncocenter.radiotherapy.views._common import _course, _me
from oncocenter.radiotherapy.worklists import worklist_rows

WORKLISTS_BY_ROLE: dict[str, list[str]] = {
    Role.RADIATION_ONCOLOGIST: [
        "prescriptions-to-sign",
        "plans-to-approve",
        "weekly-reviews-due",
        "interruptions",
        "overrides",
        "image-reviews",
    ],
    Role.MEDICAL_PHYSICIST: ["physics-checks-due", "interruptions", "overrides"],
    Role.DOSIMETRIST: ["plans-to-approve"],
    Role.RADIATION_THERAPIST: ["treat-today", "interruptions"],
    Role.SCHEDULER: ["interruptions", "treat-today"],
    Role.NURSE: ["weekly-reviews-due", "treat-today"],
}
WORKLIST_TITLES = {
    "prescriptions-to-sign": gettext_lazy("Prescriptions to sign"),
    "plans-to-approve": gettext_lazy("Plans to approve"),
    "physics-checks-due": gettext_lazy("Physics checks due"),
    "weekly-reviews-due": gettext_lazy("Weekly reviews due"),
    "interruptions": gettext_lazy("Interruptions"),
    "overrides": gettext_lazy("Dose-limit overrides"),
    "treat-today": gettext_lazy("Treatment today"),
    "image-reviews": gettext_lazy("Treatment images to review"),
}


@permission_required("rt.view")
def index(request: HttpRequest) -> HttpResponse:
    names = WORKLISTS_BY_ROLE.get(active_role(request), list(WORKLIST_TITLES))
    lists: list[dict[str, Any]] = [
        {"name": n, "title": WORKLIST_TITLES[n], "rows": worklist_rows(n)} for n in names
    ]
    audit_record(
        action=AuditAction.SEARCH,
        object_type="radiotherapy.worklist",
        object_id=",".join(names),
        detail={"mrns": sorted({r["mrn"] for lst in lists for r in lst["rows"]})[:200]},
    )
    return render(
        request,
        "radiotherapy/index.html",
        {"lists": lists, "can_import_record": has_perm(request.user, "rt.delivery.record")},
    )


@require_http_methods(["GET", "POST"])
@permission_required("rt.view")
def patient_courses(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    status = 200
    form = f.CourseCreateForm(initial={"physician": request.user.get_username()})
    if request.method == "POST":
        require(request.user, "rt.course.manage")
        form = f.CourseCreateForm(request.POST)
        outcome = run_service(
            request,
            form,
            lambda: s.course_create(
                patient=patient,
                label=form.cleaned_data["label"],
                intent=form.cleaned_data["intent"],
                physician=form.cleaned_data["physician"],
                by=_me(request),
                notes=form.cleaned_data["notes"],
            ),
            success=lambda course: _("Course %(n)d opened.") % {"n": course.number},
        )
        if outcome.ok and outcome.value is not None:
            return redirect("radiotherapy:course", pk=outcome.value.pk)
        status = outcome.status
    audit_record(action=AuditAction.READ, obj=patient, detail={"rt_courses": True})
    return render(
        request,
        "radiotherapy/patient_courses.html",
        {
            "patient": patient,
            "courses": selectors.courses_for_patient(patient=patient),
            "can_create": has_perm(request.user, "rt.course.manage"),
            "form": form,
        },
        status=status,
    )


# --- treatment summary -------------------------------------------------------------------------------


@permission_required("rt.summary.print")
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(pk)
    audit_record(
        action=AuditAction.EXPORT, obj=course, patient=course.patient, detail={"format": "html"}
    )
    return render(request, "radiotherapy/summary.html", summary_context(course))


@require_POST
@permission_required("rt.summary.print")
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the PDF as a job (2-3 s of layout is too long for a request at a busy hour) and go
    to its page, which offers the download when it is done."""
    from oncocenter.jobs.services import job_submit
    from oncocenter.radiotherapy.jobs import SUMMARY_PDF

    course = _course(pk)
    job = job_submit(
        kind=SUMMARY_PDF,
        by=_me(request),
        params={"course": course.pk},
        patient=course.patient,
        subject=course,
        role=active_role(request),
    )
    return redirect("jobs:detail", pk=job.pk)
