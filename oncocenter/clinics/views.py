"""Staff pages for clinics, the waitlist, the priority policy, wards and the bed waitlist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics import priority, selectors, services
from oncocenter.clinics.forms import (
    AdmitForm,
    BookForm,
    CancelForm,
    DischargeForm,
    PolicyForm,
    ReadmissionForm,
    RescheduleForm,
    TemplateForm,
    TransferForm,
    WaitlistForm,
)
from oncocenter.clinics.models import (
    Admission,
    Appointment,
    Bed,
    ClinicSession,
    Slot,
    WaitlistEntry,
    Ward,
)
from oncocenter.core.errors import DomainError, NotFound, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.patients.models import Center
from oncocenter.patients.selectors import patient_get


def _week_start(request: HttpRequest) -> dt.date:
    raw = request.GET.get("week", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def _error_text(exc: DomainError) -> str:
    if exc.problems:
        return "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
    return exc.message


@permission_required("clinic.view")
def sessions(request: HttpRequest) -> HttpResponse:
    start = _week_start(request)
    end = start + dt.timedelta(days=6)
    physician = None
    if request.GET.get("physician"):
        physician = get_user_model().objects.filter(username=request.GET["physician"]).first()
    rows = selectors.sessions_between(start=start, end=end, physician=physician)
    return render(
        request,
        "clinics/sessions.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "prev": start - dt.timedelta(days=7),
            "next": start + dt.timedelta(days=7),
            "physician": request.GET.get("physician", ""),
            "can_manage": has_perm(request.user, "clinic.manage"),
        },
    )


def _session_context(request: HttpRequest, session: ClinicSession, **extra: Any) -> dict[str, Any]:
    rows = selectors.session_slots(session=session)
    mrns = [a.patient.mrn for _, a in rows if a]
    if mrns:
        audit_record(
            action=AuditAction.READ,
            object_type="clinics.clinicsession",
            object_id=str(session.pk),
            detail={"mrns": mrns},
        )
    now = timezone.now()
    policy = services.policy_get().params()
    booked = [a for _s, a in rows if a]
    share = priority.check_booking(
        capacity=len(rows),
        booked_total=len(booked),
        booked_prior=sum(1 for a in booked if a.previously_treated),
        previously_treated=False,
        session_date=session.date,
        today=timezone.localdate(),
        policy=policy,
    )
    return {
        "reserved": {
            "held": share.held_for_prior,
            "total": priority.reserved_slot_count(len(rows), policy.reserved_share_percent),
            "release_on": session.date - dt.timedelta(days=policy.release_days_before),
        },
        "session": session,
        "rows": rows,
        "now": now,
        "can_book": has_perm(request.user, "clinic.book"),
        "can_manage": has_perm(request.user, "clinic.manage"),
        "types": session.template.appointment_types,
        "book_form": extra.pop("book_form", None),
        "book_slot": extra.pop("book_slot", None),
        **extra,
    }


@permission_required("clinic.view")
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        ClinicSession.objects.select_related("template", "physician"), pk=pk
    )
    return render(request, "clinics/session.html", _session_context(request, session))


@require_POST
@permission_required("clinic.manage")
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        ClinicSession.objects.select_related("template", "physician"), pk=pk
    )
    try:
        services.clinic_session_close(session=session, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return render(
            request, "clinics/session.html", _session_context(request, session), status=exc.status
        )
    messages.success(request, _("Session closed."))
    return redirect("clinics:session", pk=session.pk)


@require_POST
@permission_required("clinic.book")
def book(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(
        ClinicSession.objects.select_related("template", "physician"), pk=pk
    )
    form = BookForm(request.POST)
    status = 400
    if form.is_valid():
        slot = Slot.objects.filter(pk=form.cleaned_data["slot"], session=session).first()
        try:
            if slot is None:
                raise ValidationFailed.single("slot", _("is not a slot of this session"))
            patient = patient_get(mrn=form.cleaned_data["mrn"].strip(), audit=False)
            appt = services.appointment_book(
                slot=slot,
                patient=patient,
                appointment_type=form.cleaned_data["appointment_type"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except NotFound as exc:
            form.add_error("mrn", exc.message)
            status = 404
        except DomainError as exc:
            form.add_domain_errors(exc) if isinstance(exc, ValidationFailed) else form.add_error(
                None, _error_text(exc)
            )
            status = exc.status
        else:
            messages.success(
                request,
                _("Booked %(name)s at %(time)s.")
                % {
                    "name": appt.patient.name_ko,
                    "time": timezone.localtime(appt.starts_at).strftime("%H:%M"),
                },
            )
            return redirect("clinics:session", pk=session.pk)
    context = _session_context(request, session, book_form=form, book_slot=form.data.get("slot"))
    return render(request, "clinics/session.html", context, status=status)


def _appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    appt = get_object_or_404(Appointment.objects.select_related("patient", "session"), pk=pk)
    try:
        if action == "check-in":
            services.appointment_check_in(appointment=appt, actor=request.user)
        elif action == "no-show":
            services.appointment_mark_no_show(appointment=appt, actor=request.user)
        elif action == "complete":
            services.appointment_complete(appointment=appt, actor=request.user)
        elif action == "cancel":
            cancel_form = CancelForm(request.POST)
            services.appointment_cancel(
                appointment=appt, reason=cancel_form.data.get("reason", ""), actor=request.user
            )
        elif action == "reschedule":
            resched_form = RescheduleForm(request.POST)
            slot = Slot.objects.filter(pk=resched_form.data.get("slot") or 0).first()
            if slot is None:
                raise ValidationFailed.single("slot", _("choose a free slot"))
            services.appointment_reschedule(appointment=appt, new_slot=slot, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        response = redirect(
            request.POST.get("next") or reverse("clinics:session", args=[appt.session_id])
        )
        response.status_code = 303
        return response
    messages.success(request, _("Saved."))
    return redirect(request.POST.get("next") or reverse("clinics:session", args=[appt.session_id]))


@require_POST
@permission_required("clinic.book")
def appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("check-in", "no-show", "complete", "cancel", "reschedule"):
        raise Http404(action)
    return _appointment_action(request, pk, action)


@require_http_methods(["GET", "POST"])
@permission_required("clinic.manage")
def template_new(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            cd = form.cleaned_data
            physician = get_user_model().objects.filter(username=cd["physician"]).first()
            if physician is None:
                form.add_error("physician", _("No staff member with this username."))
            else:
                try:
                    tpl = services.clinic_template_create(
                        physician=physician,
                        center=Center.objects.get(code=cd["center"]),
                        name=cd["name"],
                        weekday=cd["weekday"],
                        start_time=cd["start_time"],
                        end_time=cd["end_time"],
                        slot_minutes=cd["slot_minutes"],
                        appointment_types=cd["appointment_types"],
                    )
                    today = timezone.localdate()
                    if cd["generate_weeks"]:
                        services.clinic_sessions_generate(
                            template=tpl,
                            start=today,
                            end=today + dt.timedelta(weeks=cd["generate_weeks"]),
                        )
                except ValidationFailed as exc:
                    form.add_domain_errors(exc)
                    status = 422
                else:
                    messages.success(request, _("Clinic template saved and sessions generated."))
                    return redirect("clinics:sessions")
    return render(request, "clinics/template_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@permission_required("clinic.view")
def waitlist(request: HttpRequest) -> HttpResponse:
    form = WaitlistForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not has_perm(request.user, "clinic.book"):
            return render(request, "core/forbidden.html", {"permission": "clinic.book"}, status=403)
        status = 400
        if form.is_valid():
            cd = form.cleaned_data
            try:
                patient = patient_get(mrn=cd["mrn"].strip(), audit=False)
                services.waitlist_add(
                    patient=patient,
                    center=Center.objects.get(code=cd["center"]),
                    appointment_type=cd["appointment_type"],
                    urgency=cd["urgency"],
                    note=cd["note"],
                )
            except NotFound as exc:
                form.add_error("mrn", exc.message)
                status = 404
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
                status = 422
            except DomainError as exc:
                form.add_error(None, _error_text(exc))
                status = exc.status
            else:
                messages.success(request, _("Added to the waitlist."))
                return redirect("clinics:waitlist")
    rows = selectors.waitlist_ranked(statuses=("waiting", "offered"))
    audit_record(
        action=AuditAction.READ,
        object_type="clinics.waitlistentry",
        detail={"mrns": [r.entry.patient.mrn for r in rows]},
    )
    return render(
        request,
        "clinics/waitlist.html",
        {"rows": rows, "form": form, "can_book": has_perm(request.user, "clinic.book")},
        status=status,
    )


@require_POST
@permission_required("clinic.book")
def waitlist_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("accept", "decline", "withdraw"):
        raise Http404(action)
    entry = get_object_or_404(WaitlistEntry, pk=pk)
    try:
        if action == "accept":
            services.waitlist_accept_offer(entry=entry, actor=request.user)
        elif action == "decline":
            services.waitlist_decline_offer(entry=entry, actor=request.user)
        elif action == "withdraw":
            services.waitlist_withdraw(entry=entry, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("clinics:waitlist")


@require_http_methods(["GET", "POST"])
@permission_required("clinic.policy_edit")
def policy(request: HttpRequest) -> HttpResponse:
    current = services.policy_get()
    initial = {f: getattr(current, f) for f in services.POLICY_FIELDS}
    form = PolicyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.policy_update(data=dict(form.cleaned_data), actor=request.user)
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
                status = 422
            else:
                messages.success(request, _("Priority policy saved."))
                return redirect("clinics:policy")
    return render(request, "clinics/policy.html", {"form": form}, status=status)


# --- wards ---------------------------------------------------------------------------------


@permission_required("admission.view")
def wards(request: HttpRequest) -> HttpResponse:
    return render(request, "clinics/wards.html", {"rows": selectors.ward_occupancy()})


def _ward_context(request: HttpRequest, ward: Ward, **extra: Any) -> dict[str, Any]:
    beds = selectors.ward_beds(ward=ward)
    ranked = selectors.bed_waitlist_ranked(ward=ward)
    mrns = [a.patient.mrn for _, a in beds if a] + [r.entry.patient.mrn for r in ranked]
    audit_record(
        action=AuditAction.READ,
        object_type="clinics.ward",
        object_id=str(ward.pk),
        detail={"mrns": mrns},
    )
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    return {
        "ward": ward,
        "beds": beds,
        "ranked": ranked,
        "can_manage": has_perm(request.user, "admission.manage"),
        "admit_form": extra.pop("admit_form", None) or AdmitForm(initial={"admitted_at": now}),
        "request_form": extra.pop("request_form", None) or ReadmissionForm(),
        "discharge_now": now,
        **extra,
    }


@permission_required("admission.view")
def ward_detail(request: HttpRequest, code: str) -> HttpResponse:
    ward = get_object_or_404(Ward, code=code)
    return render(request, "clinics/ward.html", _ward_context(request, ward))


@require_POST
@permission_required("admission.manage")
def admit(request: HttpRequest, code: str) -> HttpResponse:
    ward = get_object_or_404(Ward, code=code)
    form = AdmitForm(request.POST)
    status = 400
    if form.is_valid():
        cd = form.cleaned_data
        try:
            patient = patient_get(mrn=cd["mrn"].strip(), audit=False)
            bed = None
            if cd["bed"]:
                bed = Bed.objects.filter(ward=ward, code=cd["bed"].strip()).first()
                if bed is None:
                    raise ValidationFailed.single("bed", _("no such bed in this ward"), cd["bed"])
            req = None
            if cd.get("request"):
                req = ward.requests.filter(pk=cd["request"], status="waiting").first()
            services.admission_admit(
                patient=patient,
                ward=ward,
                bed=bed,
                admitted_at=cd["admitted_at"],
                reason=cd["reason"],
                request=req,
                actor=request.user,
            )
        except NotFound as exc:
            form.add_error("mrn", exc.message)
            status = 404
        except ValidationFailed as exc:
            form.add_domain_errors(exc)
            status = 422
        except DomainError as exc:
            form.add_error(None, _error_text(exc))
            status = exc.status
        else:
            messages.success(request, _("Admitted."))
            return redirect("clinics:ward", code=ward.code)
    return render(
        request, "clinics/ward.html", _ward_context(request, ward, admit_form=form), status=status
    )


@require_POST
@permission_required("admission.manage")
def admission_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("discharge", "transfer"):
        raise Http404(action)
    adm = get_object_or_404(Admission.objects.select_related("bed__ward", "patient"), pk=pk)
    ward = adm.bed.ward
    try:
        if action == "discharge":
            form = DischargeForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed.single(
                    "discharged_at", _("enter a date and time"), request.POST.get("discharged_at")
                )
            services.admission_discharge(
                admission=adm, discharged_at=form.cleaned_data["discharged_at"], actor=request.user
            )
        elif action == "transfer":
            transfer_form = TransferForm(request.POST)
            code = transfer_form.data.get("to_bed", "").strip()
            bed = Bed.objects.filter(ward=ward, code=code).first()
            if bed is None and "-" in code:
                w, b = code.rsplit("-", 1)
                bed = Bed.objects.filter(ward__code=w, code=b).first()
            if bed is None:
                raise ValidationFailed.single("to_bed", _("no such bed"), code)
            services.admission_transfer(admission=adm, to_bed=bed, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return render(request, "clinics/ward.html", _ward_context(request, ward), status=exc.status)
    messages.success(request, _("Saved."))
    return redirect("clinics:ward", code=ward.code)


@require_POST
@permission_required("admission.manage")
def readmission_request(request: HttpRequest, code: str) -> HttpResponse:
    ward = get_object_or_404(Ward, code=code)
    form = ReadmissionForm(request.POST)
    status = 400
    if form.is_valid():
        cd = form.cleaned_data
        try:
            patient = patient_get(mrn=cd["mrn"].strip(), audit=False)
            services.readmission_request_create(
                patient=patient,
                ward=ward,
                reason=cd["reason"],
                urgency=cd["urgency"],
                actor=request.user,
            )
        except NotFound as exc:
            form.add_error("mrn", exc.message)
            status = 404
        except ValidationFailed as exc:
            form.add_domain_errors(exc)
            status = 422
        except DomainError as exc:
            form.add_error(None, _error_text(exc))
            status = exc.status
        else:
            messages.success(request, _("Added to the bed waitlist."))
            return redirect("clinics:ward", code=ward.code)
    return render(
        request, "clinics/ward.html", _ward_context(request, ward, request_form=form), status=status
    )
