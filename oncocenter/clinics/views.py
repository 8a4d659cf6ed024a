"""Staff pages for clinics, the waitlist, the priority policy, wards and the bed waitlist.

Each write parses a form, calls one service through `run_service` and either redirects (with a
flash message) or re-renders its page with the problems beside the fields, answering 422 (bad
input), 409 (a full slot, a taken bed) or 404 (an unknown MRN).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.accounts.models import User
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
    SessionCloseForm,
    TemplateForm,
    TransferForm,
    WaitlistForm,
    not_found,
)
from oncocenter.clinics.models import (
    Admission,
    Appointment,
    Bed,
    ClinicSession,
    ClinicTemplate,
    ReadmissionRequest,
    Slot,
    WaitlistEntry,
    Ward,
)
from oncocenter.core.errors import ValidationFailed
from oncocenter.core.forms import DomainForm, Outcome, run_service
from oncocenter.core.permissions import has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.patients.models import Center


def _user(request: HttpRequest) -> User:
    # `permission_required` lets only signed-in staff through.
    return cast(User, request.user)


def _status(form: DomainForm, outcome: Outcome[Any]) -> int:
    """404 when the form names an unknown patient, else the status of the refusal."""
    return 404 if not_found(form) else outcome.status


def _week_start(request: HttpRequest) -> dt.date:
    raw = request.GET.get("week", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


@permission_required("clinic.view")
def sessions(request: HttpRequest) -> HttpResponse:
    start = _week_start(request)
    end = start + dt.timedelta(days=6)
    physician = None
    if request.GET.get("physician"):
        physician = User.objects.filter(username=request.GET["physician"]).first()
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


def _session(pk: int) -> ClinicSession:
    return get_object_or_404(ClinicSession.objects.select_related("template", "physician"), pk=pk)


def _session_page(
    request: HttpRequest, session: ClinicSession, *, status: int = 200, **forms: DomainForm
) -> HttpResponse:
    """The session's slots; `forms` are the forms of a refused write, shown with their errors."""
    rows = selectors.session_slots(session=session)
    mrns = [a.patient.mrn for _slot, a in rows if a]
    if mrns:
        audit_record(
            action=AuditAction.READ,
            object_type="clinics.clinicsession",
            object_id=str(session.pk),
            detail={"mrns": mrns},
        )
    policy = selectors.policy_get().params()
    booked = [a for _slot, a in rows if a]
    share = priority.check_booking(
        capacity=len(rows),
        booked_total=len(booked),
        booked_prior=sum(1 for a in booked if a.previously_treated),
        previously_treated=False,
        session_date=session.date,
        today=timezone.localdate(),
        policy=policy,
    )
    book_form = forms.get("book_form")
    context = {
        "reserved": {
            "held": share.held_for_prior,
            "total": priority.reserved_slot_count(len(rows), policy.reserved_share_percent),
            "release_on": session.date - dt.timedelta(days=policy.release_days_before),
        },
        "session": session,
        "rows": rows,
        "now": timezone.now(),
        "can_book": has_perm(request.user, "clinic.book"),
        "can_manage": has_perm(request.user, "clinic.manage"),
        "types": session.template.appointment_types,
        "book_form": book_form,
        "book_slot": book_form.data.get("slot") if book_form is not None else None,
        "close_form": forms.get("close_form"),
        "action_form": forms.get("action_form"),
    }
    return render(request, "clinics/session.html", context, status=status)


@permission_required("clinic.view")
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, _session(pk))


@require_POST
@permission_required("clinic.manage")
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    form = SessionCloseForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.clinic_session_close(
            by=_user(request), session=session, reason=form.cleaned_data["reason"]
        ),
        success=_("Session closed."),
    )
    if outcome.ok:
        return redirect("clinics:session", pk=session.pk)
    return _session_page(request, session, status=outcome.status, close_form=form)


@require_POST
@permission_required("clinic.book")
def book(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    form = BookForm(request.POST)

    def book_slot() -> Appointment:
        cd = form.cleaned_data
        slot = Slot.objects.filter(pk=cd["slot"], session=session).first()
        if slot is None:
            raise ValidationFailed.single("slot", _("is not a slot of this session"), cd["slot"])
        return services.appointment_book(
            by=_user(request),
            slot=slot,
            patient=cd["mrn"],
            appointment_type=cd["appointment_type"],
            reason=cd["reason"],
        )

    outcome = run_service(
        request,
        form,
        book_slot,
        success=lambda appt: (
            _("Booked %(name)s at %(time)s.")
            % {
                "name": appt.patient.name_ko,
                "time": timezone.localtime(appt.starts_at).strftime("%H:%M"),
            }
        ),
    )
    if outcome.ok:
        return redirect("clinics:session", pk=session.pk)
    return _session_page(request, session, status=_status(form, outcome), book_form=form)


APPOINTMENT_ACTIONS = ("check-in", "no-show", "complete", "cancel", "reschedule")


@require_POST
@permission_required("clinic.book")
def appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in APPOINTMENT_ACTIONS:
        raise Http404(action)
    appt = get_object_or_404(Appointment.objects.select_related("patient", "session"), pk=pk)
    by = _user(request)
    form: DomainForm
    if action == "cancel":
        form = CancelForm(request.POST)

        def call() -> Appointment:
            return services.appointment_cancel(
                by=by, appointment=appt, reason=form.cleaned_data["reason"]
            )

    elif action == "reschedule":
        form = RescheduleForm(request.POST)

        def call() -> Appointment:
            slot = Slot.objects.filter(pk=form.cleaned_data["slot"] or 0).first()
            if slot is None:
                raise ValidationFailed.single("slot", _("choose a free slot"))
            return services.appointment_reschedule(by=by, appointment=appt, new_slot=slot)

    else:
        form = DomainForm(request.POST)
        service = {
            "check-in": services.appointment_check_in,
            "no-show": services.appointment_mark_no_show,
            "complete": services.appointment_complete,
        }[action]

        def call() -> Appointment:
            return service(by=by, appointment=appt)

    outcome = run_service(request, form, call, success=_("Saved."))
    if outcome.ok:
        return redirect("clinics:session", pk=appt.session_id)
    return _session_page(
        request, _session(appt.session_id), status=outcome.status, action_form=form
    )


@require_http_methods(["GET", "POST"])
@permission_required("clinic.manage")
def template_new(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(request.POST or None)
    if request.method != "POST":
        return render(request, "clinics/template_form.html", {"form": form})

    def create() -> ClinicTemplate:
        cd = form.cleaned_data
        weeks = cd["generate_weeks"]
        return services.clinic_template_create(
            by=_user(request),
            physician=cd["physician"],
            center=Center.objects.get(code=cd["center"]),
            name=cd["name"],
            weekday=cd["weekday"],
            start_time=cd["start_time"],
            end_time=cd["end_time"],
            slot_minutes=cd["slot_minutes"],
            appointment_types=cd["appointment_types"],
            sessions_until=timezone.localdate() + dt.timedelta(weeks=weeks) if weeks else None,
        )

    outcome = run_service(
        request, form, create, success=_("Clinic template saved and sessions generated.")
    )
    if outcome.ok:
        return redirect("clinics:sessions")
    return render(request, "clinics/template_form.html", {"form": form}, status=outcome.status)


def _waitlist_page(
    request: HttpRequest,
    *,
    form: WaitlistForm | None = None,
    action_form: DomainForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = selectors.waitlist_ranked(statuses=("waiting", "offered"))
    audit_record(
        action=AuditAction.READ,
        object_type="clinics.waitlistentry",
        detail={"mrns": [r.entry.patient.mrn for r in rows]},
    )
    return render(
        request,
        "clinics/waitlist.html",
        {
            "rows": rows,
            "form": form or WaitlistForm(),
            "action_form": action_form,
            "can_book": has_perm(request.user, "clinic.book"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@permission_required("clinic.view")
def waitlist(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _waitlist_page(request)
    require(request.user, "clinic.book")
    form = WaitlistForm(request.POST)

    def add() -> WaitlistEntry:
        cd = form.cleaned_data
        return services.waitlist_add(
            by=_user(request),
            patient=cd["mrn"],
            center=Center.objects.get(code=cd["center"]),
            appointment_type=cd["appointment_type"],
            urgency=cd["urgency"],
            note=cd["note"],
        )

    outcome = run_service(request, form, add, success=_("Added to the waitlist."))
    if outcome.ok:
        return redirect("clinics:waitlist")
    return _waitlist_page(request, form=form, status=_status(form, outcome))


@require_POST
@permission_required("clinic.book")
def waitlist_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    service = {
        "accept": services.waitlist_accept_offer,
        "decline": services.waitlist_decline_offer,
        "withdraw": services.waitlist_withdraw,
    }.get(action)
    if service is None:
        raise Http404(action)
    entry = get_object_or_404(WaitlistEntry, pk=pk)
    form = DomainForm(request.POST)
    outcome = run_service(
        request, form, lambda: service(by=_user(request), entry=entry), success=_("Saved.")
    )
    if outcome.ok:
        return redirect("clinics:waitlist")
    return _waitlist_page(request, action_form=form, status=outcome.status)


@require_http_methods(["GET", "POST"])
@permission_required("clinic.policy_edit")
def policy(request: HttpRequest) -> HttpResponse:
    current = selectors.policy_get()
    initial = {f: getattr(current, f) for f in services.POLICY_FIELDS}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return render(request, "clinics/policy.html", {"form": form})
    outcome = run_service(
        request,
        form,
        lambda: services.policy_update(by=_user(request), **form.cleaned_data),
        success=_("Priority policy saved."),
    )
    if outcome.ok:
        return redirect("clinics:policy")
    return render(request, "clinics/policy.html", {"form": form}, status=outcome.status)


# --- wards ---------------------------------------------------------------------------------


@permission_required("admission.view")
def wards(request: HttpRequest) -> HttpResponse:
    return render(request, "clinics/wards.html", {"rows": selectors.ward_occupancy()})


def _ward_page(
    request: HttpRequest,
    ward: Ward,
    *,
    status: int = 200,
    admit_form: AdmitForm | None = None,
    request_form: ReadmissionForm | None = None,
    action_form: DomainForm | None = None,
) -> HttpResponse:
    beds = selectors.ward_beds(ward=ward)
    ranked = selectors.bed_waitlist_ranked(ward=ward)
    mrns = [a.patient.mrn for _bed, a in beds if a] + [r.entry.patient.mrn for r in ranked]
    audit_record(
        action=AuditAction.READ,
        object_type="clinics.ward",
        object_id=str(ward.pk),
        detail={"mrns": mrns},
    )
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    context = {
        "ward": ward,
        "beds": beds,
        "ranked": ranked,
        "can_manage": has_perm(request.user, "admission.manage"),
        "admit_form": admit_form or AdmitForm(initial={"admitted_at": now}),
        "request_form": request_form or ReadmissionForm(),
        "action_form": action_form,
        "discharge_now": now,
    }
    return render(request, "clinics/ward.html", context, status=status)


@permission_required("admission.view")
def ward_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _ward_page(request, get_object_or_404(Ward, code=code))


@require_POST
@permission_required("admission.manage")
def admit(request: HttpRequest, code: str) -> HttpResponse:
    ward = get_object_or_404(Ward, code=code)
    form = AdmitForm(request.POST)

    def admit_patient() -> Admission:
        cd = form.cleaned_data
        bed = None
        if cd["bed"]:
            bed = Bed.objects.filter(ward=ward, code=cd["bed"].strip()).first()
            if bed is None:
                raise ValidationFailed.single("bed", _("no such bed in this ward"), cd["bed"])
        req: ReadmissionRequest | None = None
        if cd.get("request"):
            req = ward.requests.filter(pk=cd["request"], status="waiting").first()
        return services.admission_admit(
            by=_user(request),
            patient=cd["mrn"],
            ward=ward,
            bed=bed,
            admitted_at=cd["admitted_at"],
            reason=cd["reason"],
            request=req,
        )

    outcome = run_service(request, form, admit_patient, success=_("Admitted."))
    if outcome.ok:
        return redirect("clinics:ward", code=ward.code)
    return _ward_page(request, ward, status=_status(form, outcome), admit_form=form)


def _bed_by_code(ward: Ward, code: str) -> Bed:
    """A bed of this ward by its code, or of another ward written "WARD-BED"."""
    bed = Bed.objects.filter(ward=ward, code=code).first()
    if bed is None and "-" in code:
        ward_code, bed_code = code.rsplit("-", 1)
        bed = Bed.objects.filter(ward__code=ward_code, code=bed_code).first()
    if bed is None:
        raise ValidationFailed.single("to_bed", _("no such bed"), code)
    return bed


@require_POST
@permission_required("admission.manage")
def admission_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("discharge", "transfer"):
        raise Http404(action)
    adm = get_object_or_404(Admission.objects.select_related("bed__ward", "patient"), pk=pk)
    ward = adm.bed.ward
    by = _user(request)
    form: DomainForm
    if action == "discharge":
        form = DischargeForm(request.POST)

        def call() -> Admission:
            return services.admission_discharge(
                by=by, admission=adm, discharged_at=form.cleaned_data["discharged_at"]
            )

    else:
        form = TransferForm(request.POST)

        def call() -> Admission:
            to_bed = _bed_by_code(ward, form.cleaned_data["to_bed"].strip())
            return services.admission_transfer(by=by, admission=adm, to_bed=to_bed)

    outcome = run_service(request, form, call, success=_("Saved."))
    if outcome.ok:
        return redirect("clinics:ward", code=ward.code)
    return _ward_page(request, ward, status=outcome.status, action_form=form)


@require_POST
@permission_required("admission.manage")
def readmission_request(request: HttpRequest, code: str) -> HttpResponse:
    ward = get_object_or_404(Ward, code=code)
    form = ReadmissionForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.readmission_request_create(
            by=_user(request),
            patient=form.cleaned_data["mrn"],
            ward=ward,
            reason=form.cleaned_data["reason"],
            urgency=form.cleaned_data["urgency"],
        ),
        success=_("Added to the bed waitlist."),
    )
    if outcome.ok:
        return redirect("clinics:ward", code=ward.code)
    return _ward_page(request, ward, status=_status(form, outcome), request_form=form)
