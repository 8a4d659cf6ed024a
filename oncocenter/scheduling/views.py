"""Staff pages: machines and their downtime, book a course, report an outage, the day board."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict
from oncocenter.core.forms import Outcome, run_service
from oncocenter.core.middleware import error_response
from oncocenter.core.permissions import active_role, has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_submit
from oncocenter.machines import selectors as machine_selectors
from oncocenter.machines import services as machine_services
from oncocenter.machines.models import MachineDowntime
from oncocenter.patients.selectors import patient_get
from oncocenter.radiotherapy.models import Course, Prescription
from oncocenter.radiotherapy.selectors import current_plan, plan_readiness
from oncocenter.scheduling import adapter, jobs, selectors, services
from oncocenter.scheduling.forms import CourseBookForm, DowntimeForm, OutageForm, ServiceForm

PENALTY_LABELS = {
    "late_start": gettext_lazy("first fraction after the due date"),
    "waiting": gettext_lazy("days waited from ready date"),
    "interruption": gettext_lazy("open day skipped inside the course"),
    "machine_change": gettext_lazy("not on the patient's main machine"),
    "start_time_drift": gettext_lazy("start time moved from the previous day"),
    "outside_preferred_window": gettext_lazy("outside the preferred time window"),
}


def _penalty_rows(penalties: dict[str, int]) -> list[dict[str, object]]:
    return [
        {"name": k, "label": PENALTY_LABELS.get(k, k), "value": v}
        for k, v in sorted(penalties.items())
        if v
    ]


# --- machines ------------------------------------------------------------------------------------


@permission_required("machine.view")
def machines(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scheduling/machines.html",
        {
            "machines": machine_selectors.machine_list(),
            "can_report": has_perm(request.user, "outage.report"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("machine.view")
def machine_detail(request: HttpRequest, code: str) -> HttpResponse:
    machine = machine_selectors.machine_get(code=code)
    qa_form = DowntimeForm(prefix="qa")
    service_form = ServiceForm(prefix="svc", initial={"in_service": not machine.in_service})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        outcome: Outcome[object]
        if action == "qa":
            require(request.user, "downtime.plan")
            qa_form = DowntimeForm(request.POST, prefix="qa")
            outcome = run_service(
                request,
                qa_form,
                lambda: machine_services.qa_window_plan(
                    machine=machine,
                    start=qa_form.cleaned_data["start"],
                    end=qa_form.cleaned_data["end"],
                    reason=qa_form.cleaned_data["reason"],
                    by=current_user(request),
                ),
                success=_("QA window planned."),
            )
        elif action == "service":
            require(request.user, "machine.manage")
            service_form = ServiceForm(request.POST, prefix="svc")
            outcome = run_service(
                request,
                service_form,
                lambda: machine_services.machine_set_in_service(
                    machine=machine,
                    in_service=service_form.cleaned_data["in_service"],
                    by=current_user(request),
                    reason=service_form.cleaned_data["reason"],
                ),
                success=_("Machine status changed."),
            )
        else:
            return error_response(
                request, status=400, title=_("Unknown action"), message=_("Unknown action.")
            )
        if outcome.ok:
            return redirect("scheduling:machine", code=machine.code)
        status = outcome.status
    context = {
        "machine": machine,
        "downtimes": machine_selectors.machine_downtimes(machine=machine),
        "qa_form": qa_form,
        "service_form": service_form,
        "can_plan": has_perm(request.user, "downtime.plan"),
        "can_manage": has_perm(request.user, "machine.manage"),
        "can_report": has_perm(request.user, "outage.report"),
    }
    return render(request, "scheduling/machine_detail.html", context, status=status)


# --- outages ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("outage.report")
def outage_report(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("machine"):
        initial["machine"] = request.GET["machine"]
    form = OutageForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        # The outage is recorded and its sessions rebooked by a job; the job page follows it.
        outcome = run_service(request, form, lambda: _submit_outage(request, form))
        if outcome.ok and outcome.value is not None:
            return redirect("jobs:detail", pk=outcome.value.pk)
        status = outcome.status
    return render(request, "scheduling/outage_form.html", {"form": form}, status=status)


def _submit_outage(request: HttpRequest, form: OutageForm) -> Job:
    data = form.cleaned_data
    return jobs.outage_report_submit(
        machine=data["machine"],
        start=data["start"],
        end=data["end"],
        reason=data["reason"],
        by=current_user(request),
        role=active_role(request),
    )


@permission_required("schedule.view")
def outage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    outage = selectors.outage_get(pk=pk)
    changes = selectors.outage_changes(outage=outage)
    return render(
        request,
        "scheduling/outage_detail.html",
        {
            "outage": outage,
            "changes": changes,
            "patients": len({b.patient_id for b in changes}),
            "unresolved": _unresolved(outage),
            "can_confirm": has_perm(request.user, "outage.confirm"),
        },
    )


def _unresolved(outage: MachineDowntime) -> list[dict[str, object]]:
    reasons = outage.rebook_summary.get("unresolved", {})
    rxs = Prescription.objects.select_related("course__patient").in_bulk([int(k) for k in reasons])
    return [
        {"prescription": rxs.get(int(k)), "id": k, "reason": reason}
        for k, reason in sorted(reasons.items())
    ]


@require_POST
@permission_required("outage.confirm")
def outage_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    outage = selectors.outage_get(pk=pk)
    try:
        services.outage_confirm(outage=outage, by=current_user(request))
    except Conflict as exc:
        # Confirmed twice (two schedulers at once): say so on the outage page.
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Changes confirmed. Print the notices for the patients."))
    return redirect("scheduling:outage", pk=pk)


@permission_required("outage.confirm")
def outage_notices(request: HttpRequest, pk: int) -> HttpResponse:
    """One printable notice per affected patient, listing the changed appointments."""
    outage = selectors.outage_get(pk=pk)
    changes = selectors.outage_changes(outage=outage)
    by_patient: dict[int, dict] = {}
    for b in changes:
        by_patient.setdefault(b.patient_id, {"patient": b.patient, "rows": []})["rows"].append(b)
    for item in by_patient.values():
        audit_record(
            action=AuditAction.EXPORT,
            obj=outage,
            patient=item["patient"],
            detail={"printed": "outage notice", "sessions": len(item["rows"])},
        )
    return render(
        request,
        "scheduling/outage_notices.html",
        {"outage": outage, "notices": list(by_patient.values())},
    )


# --- booking a course ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("schedule.book")
def course_book(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(pk=pk)
    sedation = adapter.sedation_required(course.patient)
    form = CourseBookForm(
        request.POST if request.method == "POST" else None, initial={"anesthesia": bool(sedation)}
    )
    status = 200
    if request.method == "POST":
        # Bad input (422) and an interlock (409: unsigned, no physics check, already booked) are
        # answered here; the booking itself runs as a job, whose page shows its progress and
        # then the bookings or what refused them (no feasible slot).
        outcome = run_service(request, form, lambda: _submit_course(request, course, form))
        if outcome.ok and outcome.value is not None:
            return redirect("jobs:detail", pk=outcome.value.pk)
        status = outcome.status
    prescriptions = []
    for rx in course.prescriptions.all():
        plan = current_plan(rx)
        prescriptions.append(
            {"rx": rx, "plan": plan, "readiness": plan_readiness(plan=plan) if plan else None}
        )
    return render(
        request,
        "scheduling/course_book.html",
        {"course": course, "form": form, "prescriptions": prescriptions, "sedation": sedation},
        status=status,
    )


def _submit_course(request: HttpRequest, course: Course, form: CourseBookForm) -> Job:
    data = form.cleaned_data
    return jobs.course_book_submit(
        course=course,
        by=current_user(request),
        role=active_role(request),
        urgency=data["urgency"],
        ready_date=data["ready_date"],
        anesthesia=data["anesthesia"],
        preferred_window=form.preferred_window(),
    )


@require_POST
@permission_required("schedule.book")
def book_waiting(request: HttpRequest) -> HttpResponse:
    """Book every ready course of the worklist in one solve (the daily online step), as a job."""
    job = jobs.book_waiting_submit(by=current_user(request), role=active_role(request))
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@permission_required("schedule.book")
def missed_sessions(request: HttpRequest) -> HttpResponse:
    """Mark booked sessions of past days without a delivery missed and rebook them, as a job."""
    job = job_submit(
        kind=jobs.MISSED_SESSIONS,
        by=current_user(request),
        role=active_role(request),
    )
    return redirect("jobs:detail", pk=job.pk)


@permission_required("schedule.view")
def course_bookings(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(pk=pk)
    rows = selectors.course_bookings(course=course)
    total: dict[str, int] = {}
    for b in rows:
        for k, v in (b.penalties or {}).items():
            total[k] = total.get(k, 0) + v
    return render(
        request,
        "scheduling/course_bookings.html",
        {
            "course": course,
            "rows": [{"b": b, "penalties": _penalty_rows(b.penalties or {})} for b in rows],
            "total": _penalty_rows(total),
        },
    )


# --- day board and appointment lists ----------------------------------------------------------------


def _parse_day(value: str | None) -> dt.date | None:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@permission_required("schedule.view")
def board(request: HttpRequest) -> HttpResponse:
    day = _parse_day(request.GET.get("date"))
    if day is None:
        return error_response(
            request,
            status=400,
            title=_("Not a date"),
            message=_("date: must be a date YYYY-MM-DD."),
        )
    data = selectors.day_board(day=day)
    return render(
        request,
        "scheduling/board.html",
        {
            "board": data,
            "height": (data.closes - data.opens) * selectors.PX_PER_MIN,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "today": timezone.localdate(),
            "can_book": has_perm(request.user, "schedule.book"),
        },
    )


@permission_required("schedule.view")
def patient_appointments(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    rows = selectors.patient_appointments(patient=patient)
    return render(
        request,
        "scheduling/appointments.html",
        {"patient": patient, "rows": rows, "printed_at": timezone.localtime()},
    )
