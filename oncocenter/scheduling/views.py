"""Staff pages: machines and their downtime, book a course, report an outage, the day board."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.machines import selectors as machine_selectors
from oncocenter.machines import services as machine_services
from oncocenter.machines.models import Machine
from oncocenter.patients.selectors import patient_get
from oncocenter.radiotherapy.selectors import current_plan, plan_readiness
from oncocenter.scheduling import adapter, selectors, services
from oncocenter.scheduling.forms import CourseBookForm, DowntimeForm, OutageForm, ServiceForm

PENALTY_LABELS = {
    "late_start": gettext_lazy("first fraction after the due date"),
    "waiting": gettext_lazy("days waited from ready date"),
    "interruption": gettext_lazy("open day skipped inside the course"),
    "machine_change": gettext_lazy("not on the patient's main machine"),
    "start_time_drift": gettext_lazy("start time moved from the previous day"),
    "outside_preferred_window": gettext_lazy("outside the preferred time window"),
}


def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return render(request, "scheduling/not_found.html", {"message": exc.message}, status=404)


def _penalty_rows(penalties: dict[str, int]) -> list[dict[str, object]]:
    return [
        {"name": k, "label": PENALTY_LABELS.get(k, k), "value": v}
        for k, v in sorted(penalties.items())
        if v
    ]


# --- machines ------------------------------------------------------------------------------------


@permission_required("machine.view")
def machines(request: HttpRequest) -> HttpResponse:
    rows = Machine.objects.prefetch_related("techniques").order_by("code")
    return render(
        request,
        "scheduling/machines.html",
        {"machines": rows, "can_report": has_perm(request.user, "outage.report")},
    )


@require_http_methods(["GET", "POST"])
@permission_required("machine.view")
def machine_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        machine = machine_selectors.machine_get(code=code)
    except NotFound as exc:
        return _not_found(request, exc)
    qa_form: forms.Form = DowntimeForm(prefix="qa")
    service_form: forms.Form = ServiceForm(
        prefix="svc", initial={"in_service": not machine.in_service}
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        perm = {"qa": "downtime.plan", "service": "machine.manage"}.get(action or "")
        if perm is None:
            return HttpResponse(_("Unknown action."), status=400)
        if not has_perm(request.user, perm):
            return render(request, "core/forbidden.html", {"permission": perm}, status=403)
        form: DowntimeForm | ServiceForm = (
            DowntimeForm(request.POST, prefix="qa")
            if action == "qa"
            else ServiceForm(request.POST, prefix="svc")
        )
        if form.is_valid():
            try:
                if action == "qa":
                    machine_services.qa_window_plan(
                        machine=machine,
                        start=form.cleaned_data["start"],
                        end=form.cleaned_data["end"],
                        reason=form.cleaned_data["reason"],
                        by=current_user(request),
                    )
                    messages.success(request, _("QA window planned."))
                else:
                    machine_services.machine_set_in_service(
                        machine=machine,
                        in_service=form.cleaned_data["in_service"],
                        by=current_user(request),
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Machine status changed."))
                return redirect("scheduling:machine", code=machine.code)
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
                status = exc.status
        if status == 200:
            status = 400
        if action == "qa":
            qa_form = form
        else:
            service_form = form
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
        if form.is_valid():
            try:
                result = services.outage_report(
                    machine=form.cleaned_data["machine"],
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    reason=form.cleaned_data["reason"],
                    by=current_user(request),
                )
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Outage recorded; %(n)d session(s) were rebooked automatically.")
                    % {"n": len(result.moved)},
                )
                return redirect("scheduling:outage", pk=result.outage.pk)
        status = status if status != 200 else 400
    return render(request, "scheduling/outage_form.html", {"form": form}, status=status)


@permission_required("schedule.view")
def outage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        outage = selectors.outage_get(pk=pk)
    except NotFound as exc:
        return _not_found(request, exc)
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


def _unresolved(outage) -> list[dict[str, object]]:
    from oncocenter.radiotherapy.models import Prescription

    reasons = outage.rebook_summary.get("unresolved", {})
    rxs = Prescription.objects.select_related("course__patient").in_bulk([int(k) for k in reasons])
    return [
        {"prescription": rxs.get(int(k)), "id": k, "reason": reason}
        for k, reason in sorted(reasons.items())
    ]


@require_POST
@permission_required("outage.confirm")
def outage_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        outage = selectors.outage_get(pk=pk)
        services.outage_confirm(outage=outage, by=current_user(request))
    except NotFound as exc:
        return _not_found(request, exc)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Changes confirmed. Print the notices for the patients."))
    return redirect("scheduling:outage", pk=pk)


@permission_required("outage.confirm")
def outage_notices(request: HttpRequest, pk: int) -> HttpResponse:
    """One printable notice per affected patient, listing the changed appointments."""
    from oncocenter.audit.models import AuditAction
    from oncocenter.audit.services import audit_record

    try:
        outage = selectors.outage_get(pk=pk)
    except NotFound as exc:
        return _not_found(request, exc)
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
    try:
        course = selectors.course_get(pk=pk)
    except NotFound as exc:
        return _not_found(request, exc)
    sedation = adapter.sedation_required(course.patient)
    form = CourseBookForm(
        request.POST if request.method == "POST" else None, initial={"anesthesia": bool(sedation)}
    )
    status = 200
    refusal = None
    if request.method == "POST":
        if form.is_valid():
            try:
                services.course_book(
                    course=course,
                    by=current_user(request),
                    urgency=form.cleaned_data["urgency"] or None,
                    ready_date=form.cleaned_data["ready_date"],
                    anesthesia=form.cleaned_data["anesthesia"],
                    preferred_window=form.preferred_window(),
                )
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            except DomainError as exc:
                refusal = exc
                status = exc.status
            else:
                messages.success(request, _("Course booked."))
                return redirect("scheduling:course-bookings", pk=course.pk)
        status = status if status != 200 else 400
    prescriptions = []
    for rx in course.prescriptions.all():
        plan = current_plan(rx)
        prescriptions.append(
            {"rx": rx, "plan": plan, "readiness": plan_readiness(plan=plan) if plan else None}
        )
    return render(
        request,
        "scheduling/course_book.html",
        {
            "course": course,
            "form": form,
            "prescriptions": prescriptions,
            "refusal": refusal,
            "sedation": sedation,
        },
        status=status,
    )


@require_POST
@permission_required("schedule.book")
def book_waiting(request: HttpRequest) -> HttpResponse:
    """Book every ready course of the worklist in one solve (the daily online step)."""
    try:
        result = services.courses_book_waiting(by=current_user(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("core:home")
    messages.success(
        request,
        _("%(n)d course(s) booked; %(k)d left for later (unsigned or physics check pending).")
        % {"n": len(result.booked), "k": len(result.skipped)},
    )
    if not result.booked:
        return redirect("core:home")
    first = min(b.start for r in result.booked for rows in r.bookings.values() for b in rows)
    day = adapter.to_local_naive(first).date()
    return redirect(f"{reverse('scheduling:board')}?date={day.isoformat()}")


@permission_required("schedule.view")
def course_bookings(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        course = selectors.course_get(pk=pk)
    except NotFound as exc:
        return _not_found(request, exc)
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
        return render(
            request,
            "scheduling/not_found.html",
            {"message": _("date: must be a date YYYY-MM-DD.")},
            status=400,
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
        },
    )


@permission_required("schedule.view")
def patient_appointments(request: HttpRequest, mrn: str) -> HttpResponse:
    try:
        patient = patient_get(mrn=mrn, audit=False)
    except NotFound as exc:
        return _not_found(request, exc)
    rows = selectors.patient_appointments(patient=patient)
    return render(
        request,
        "scheduling/appointments.html",
        {"patient": patient, "rows": rows, "printed_at": timezone.localtime()},
    )
