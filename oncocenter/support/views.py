"""Staff pages of the support area. Each POST parses one form, calls one service, redirects.

On a rule broken, the page is rendered again with the form bound, the message beside the field
and status 422; nothing is saved (services are atomic).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oncocenter.audit.services import audit_record
from oncocenter.core.errors import DomainError, NotFound
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import login_required_view, permission_required
from oncocenter.patients.selectors import patient_get
from oncocenter.support import calc, charts, forms, selectors, services, vocab
from oncocenter.support.models import (
    AidApplication,
    AidOrganisation,
    HSCTEpisode,
    PalliativeReferral,
    PalliativeStatus,
    SchoolClass,
    SchoolEnrollment,
    ShelterStay,
    ShelterWaitlistEntry,
    SocialCase,
    SocialIntervention,
    StayStatus,
)


def _today() -> dt.date:
    return timezone.localdate()


def _obj(model: Any, pk: int) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"No {model._meta.verbose_name} {pk}")
    return obj


def _patient_or_form_error(form: forms.DomainForm, field: str = "mrn") -> Any:
    try:
        return patient_get(mrn=form.cleaned_data[field].strip(), audit=False)
    except NotFound as exc:
        form.add_error(field, exc.message)
        return None


def _run(request: HttpRequest, form: forms.DomainForm, call: Callable[[], Any], ok: str) -> bool:
    """Call the service; on a domain error put its messages on the form. True when saved."""
    if not form.is_valid():
        return False
    try:
        call()
    except DomainError as exc:
        form.add_domain_errors(exc)
        return False
    messages.success(request, ok)
    return True


# ============================================================================ hub
@require_GET
@login_required_view
def hub(request: HttpRequest) -> HttpResponse:
    parts = [
        ("support:school", _("Hospital school"), "support.school.view"),
        ("support:aid", _("Aid associations"), "support.aid.view"),
        ("support:shelter", _("Family shelter"), "support.shelter.view"),
        ("support:palliative", _("Palliative care"), "support.palliative.view"),
        ("support:social", _("Social work"), "support.social.view"),
        ("support:hsct", _("Transplant (HSCT) worklist"), "support.hsct.view"),
        ("support:reports", _("Reports"), "support.reports.view"),
    ]
    links = [(reverse(u), label) for u, label, perm in parts if has_perm(request.user, perm)]
    return render(request, "support/hub.html", {"links": links})


# ============================================================================ pediatric record
def _pediatric_page(
    request: HttpRequest, patient: Any, status: int = 200, **bound: Any
) -> HttpResponse:
    today = _today()
    profile = getattr(patient, "pediatric_profile", None)
    episodes = (
        list(HSCTEpisode.objects.filter(patient=patient).prefetch_related("gvhd_entries"))
        if has_perm(request.user, "support.hsct.view")
        else []
    )
    can_edit = has_perm(request.user, "support.pediatric.edit")
    context = {
        "patient": patient,
        "age": patient.age_on(today),
        "profile": profile,
        "measurements": list(patient.body_measurements.all()[:10]),
        "lansky": selectors.latest_lansky(patient),
        "diagnoses": selectors.childhood_diagnoses(patient),
        "episodes": [selectors.hsct_day_view(e, today) for e in episodes],
        "can_edit": can_edit,
        "can_hsct": has_perm(request.user, "support.hsct.edit"),
        "sedation_form": bound.get("sedation_form")
        or forms.SedationForm(
            initial={
                "sedation_required": bool(profile and profile.sedation_required),
                "sedation_notes": profile.sedation_notes if profile else "",
            }
        ),
        "measurement_form": bound.get("measurement_form")
        or forms.MeasurementForm(initial={"measured_on": today}),
        "hsct_form": bound.get("hsct_form") or forms.HSCTForm(),
        "can_record": has_perm(request.user, "record.view"),
        "can_add_guardian": has_perm(request.user, "record.edit"),
        "guardian_form": bound.get("guardian_form") or forms.GuardianForm(),
    }
    if context["can_record"]:
        context["guardians"] = [
            {
                "g": g,
                "age": (
                    calc.completed_years(g.support_birth_date.birth_date, today)
                    if hasattr(g, "support_birth_date")
                    else None
                ),
            }
            for g in patient.guardians.select_related("support_birth_date")
        ]
        context["consents"] = list(patient.consents.select_related("guardian"))
    return render(request, "support/pediatric.html", context, status=status)


@require_GET
@permission_required("support.pediatric.view")
def pediatric(request: HttpRequest, mrn: str) -> HttpResponse:
    try:
        patient = patient_get(mrn=mrn, audit=False)
    except NotFound as exc:
        raise Http404(exc.message) from None
    audit_record(action="read", patient=patient, object_type="support.pediatric", object_id=mrn)
    return _pediatric_page(request, patient)


def _patient_404(mrn: str) -> Any:
    try:
        return patient_get(mrn=mrn, audit=False)
    except NotFound as exc:
        raise Http404(exc.message) from None


@require_POST
@permission_required("support.pediatric.edit")
def pediatric_sedation(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = _patient_404(mrn)
    form = forms.SedationForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.profile_set_sedation(patient=patient, **form.cleaned_data),
        _("Sedation need saved."),
    ):
        return redirect("support:pediatric", mrn=mrn)
    return _pediatric_page(request, patient, 422, sedation_form=form)


@require_POST
@permission_required("support.pediatric.edit")
def pediatric_measurement(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = _patient_404(mrn)
    form = forms.MeasurementForm(request.POST)
    result: dict[str, Any] = {}

    def call() -> None:
        result["m"], result["w"] = services.measurement_record(
            patient=patient, recorded_by=request.user, **form.cleaned_data
        )

    if _run(request, form, call, _("Measurement saved.")):
        for w in result["w"]:
            messages.warning(request, w)
        return redirect("support:pediatric", mrn=mrn)
    return _pediatric_page(request, patient, 422, measurement_form=form)


def _hsct_data(form: forms.HSCTForm) -> dict[str, Any]:
    return {
        k: (v if v != "" else None)
        if k.endswith("_on") or k in ("day0", "conditioning_start")
        else v
        for k, v in form.cleaned_data.items()
    }


@require_POST
@permission_required("record.edit")
def pediatric_guardian(request: HttpRequest, mrn: str) -> HttpResponse:
    """Add a guardian; a minor cannot be the legal representative (rule of this area)."""
    patient = _patient_404(mrn)
    form = forms.GuardianForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.guardian_register(patient=patient, **form.cleaned_data),
        _("Guardian added."),
    ):
        return redirect("support:pediatric", mrn=mrn)
    return _pediatric_page(request, patient, 422, guardian_form=form)


@require_POST
@permission_required("support.hsct.edit")
def hsct_create(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = _patient_404(mrn)
    form = forms.HSCTForm(request.POST)
    created: dict[str, Any] = {}

    def call() -> None:
        created["e"] = services.hsct_episode_create(patient=patient, **_hsct_data(form))

    if _run(request, form, call, _("HSCT episode created.")):
        return redirect("support:hsct-detail", pk=created["e"].pk)
    return _pediatric_page(request, patient, 422, hsct_form=form)


# ============================================================================ HSCT
@require_GET
@permission_required("support.hsct.view")
def hsct_worklist(request: HttpRequest) -> HttpResponse:
    rows = selectors.hsct_active_episodes(_today())
    audit_record(
        action="read",
        object_type="support.hsct_worklist",
        detail={"count": len(rows), "mrns": [v.episode.patient.mrn for v in rows]},
    )
    return render(request, "support/hsct_worklist.html", {"rows": rows})


def _hsct_page(
    request: HttpRequest, episode: HSCTEpisode, status: int = 200, **bound: Any
) -> HttpResponse:
    on = _today()
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            messages.error(request, _("The date must be YYYY-MM-DD."))
    initial = {f: getattr(episode, f) for f in services.HSCT_FIELDS}
    context = {
        "episode": episode,
        "patient": episode.patient,
        "view": selectors.hsct_day_view(episode, on),
        "on": on,
        "gvhd": episode.gvhd_entries.all(),
        "complications": episode.complications.all(),
        "can_edit": has_perm(request.user, "support.hsct.edit"),
        "edit_form": bound.get("edit_form") or forms.HSCTForm(initial=initial),
        "gvhd_form": bound.get("gvhd_form") or forms.GVHDForm(initial={"observed_on": _today()}),
        "complication_form": bound.get("complication_form") or forms.ComplicationForm(),
        "grades": {g["code"]: g["label"] for g in vocab.gvhd()["acute"]["grades"]},
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "support/_partials/hsct_day.html", context)
    return render(request, "support/hsct_detail.html", context, status=status)


@require_GET
@permission_required("support.hsct.view")
def hsct_detail(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _obj(HSCTEpisode, pk)
    audit_record(action="read", obj=episode, patient=episode.patient)
    return _hsct_page(request, episode)


@require_POST
@permission_required("support.hsct.edit")
def hsct_edit(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _obj(HSCTEpisode, pk)
    form = forms.HSCTForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.hsct_episode_update(episode=episode, **_hsct_data(form)),
        _("Saved."),
    ):
        return redirect("support:hsct-detail", pk=pk)
    episode.refresh_from_db()
    return _hsct_page(request, episode, 422, edit_form=form)


@require_POST
@permission_required("support.hsct.edit")
def hsct_gvhd(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _obj(HSCTEpisode, pk)
    form = forms.GVHDForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.gvhd_entry_add(episode=episode, **form.cleaned_data),
        _("GVHD recorded."),
    ):
        return redirect("support:hsct-detail", pk=pk)
    return _hsct_page(request, episode, 422, gvhd_form=form)


@require_POST
@permission_required("support.hsct.edit")
def hsct_complication(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _obj(HSCTEpisode, pk)
    form = forms.ComplicationForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.hsct_complication_add(episode=episode, **form.cleaned_data),
        _("Complication recorded."),
    ):
        return redirect("support:hsct-detail", pk=pk)
    return _hsct_page(request, episode, 422, complication_form=form)


# ============================================================================ hospital school
def _school_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    enrollments = (
        SchoolEnrollment.objects.filter(ended_on__isnull=True)
        .select_related("patient", "school_class")
        .order_by("school_class__name", "patient__name_ko")
    )
    audit_record(
        action="read",
        object_type="support.school",
        detail={"count": len(enrollments), "mrns": [e.patient.mrn for e in enrollments]},
    )
    return render(
        request,
        "support/school.html",
        {
            "classes": SchoolClass.objects.filter(active=True).select_related("teacher"),
            "enrollments": enrollments,
            "can_edit": has_perm(request.user, "support.school.edit"),
            "can_manage": has_perm(request.user, "support.school.manage"),
            "class_form": bound.get("class_form") or forms.SchoolClassForm(),
            "enroll_form": bound.get("enroll_form")
            or EnrollForm(initial={"enrolled_on": _today()}),
        },
        status=status,
    )


@require_GET
@permission_required("support.school.view")
def school(request: HttpRequest) -> HttpResponse:
    return _school_page(request)


@require_POST
@permission_required("support.school.manage")
def school_class_create(request: HttpRequest) -> HttpResponse:
    form = forms.SchoolClassForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.school_class_create(teacher=request.user, **form.cleaned_data),
        _("Class created."),
    ):
        return redirect("support:school")
    return _school_page(request, 422, class_form=form)


class EnrollForm(forms.EnrollmentForm):
    mrn = forms.forms.CharField(label=_("Child's MRN"), max_length=10)


@require_POST
@permission_required("support.school.edit")
def school_enroll(request: HttpRequest) -> HttpResponse:
    form = EnrollForm(request.POST)
    created: dict[str, Any] = {}

    def call() -> None:
        data = dict(form.cleaned_data)
        patient = _patient_or_form_error(form)
        if patient is None:
            raise _FormError
        data.pop("mrn")
        created["e"] = services.school_enroll(patient=patient, **data)

    try:
        ok = _run(request, form, call, _("Enrolled."))
    except _FormError:
        ok = False
    if ok:
        return redirect("support:enrollment", pk=created["e"].pk)
    return _school_page(request, 422, enroll_form=form)


class _FormError(Exception):
    """The form already carries the error (e.g. unknown MRN)."""


def _enrollment_page(
    request: HttpRequest, e: SchoolEnrollment, status: int = 200, **bound: Any
) -> HttpResponse:
    plan = getattr(e, "return_plan", None)
    att = list(e.attendance.all())
    return render(
        request,
        "support/enrollment.html",
        {
            "e": e,
            "patient": e.patient,
            "attendance": att,
            "present_days": sum(1 for a in att if a.status == "present"),
            "present_admitted": sum(1 for a in att if a.status == "present" and a.during_admission),
            "plan": plan,
            "can_edit": has_perm(request.user, "support.school.edit"),
            "attendance_form": bound.get("attendance_form")
            or forms.AttendanceForm(initial={"on": _today(), "minutes": 60}),
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
@permission_required("support.school.view")
def enrollment(request: HttpRequest, pk: int) -> HttpResponse:
    e = _obj(SchoolEnrollment, pk)
    audit_record(action="read", obj=e, patient=e.patient)
    return _enrollment_page(request, e)


@require_POST
@permission_required("support.school.edit")
def enrollment_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    e = _obj(SchoolEnrollment, pk)
    form = forms.AttendanceForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.school_attendance_record(
            enrollment=e,
            **{
                **form.cleaned_data,
                "during_admission": form.cleaned_data["during_admission"] or None,
            },
        ),
        _("Attendance recorded."),
    ):
        return redirect("support:enrollment", pk=pk)
    return _enrollment_page(request, e, 422, attendance_form=form)


@require_POST
@permission_required("support.school.edit")
def enrollment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    e = _obj(SchoolEnrollment, pk)
    form = forms.ReturnPlanForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.return_plan_save(enrollment=e, **form.cleaned_data),
        _("Return-to-school plan saved."),
    ):
        return redirect("support:enrollment", pk=pk)
    return _enrollment_page(request, e, 422, plan_form=form)


# ============================================================================ aid
class AidNewForm(forms.AidForm):
    mrn = forms.forms.CharField(label=_("Child's MRN"), max_length=10)


def _aid_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    apps_qs = AidApplication.objects.select_related("patient", "organisation").order_by("-id")[:200]
    audit_record(
        action="read",
        object_type="support.aid",
        detail={"count": len(apps_qs), "mrns": sorted({a.patient.mrn for a in apps_qs})},
    )
    return render(
        request,
        "support/aid.html",
        {
            "organisations": AidOrganisation.objects.all(),
            "applications": apps_qs,
            "can_edit": has_perm(request.user, "support.aid.edit"),
            "can_manage": has_perm(request.user, "support.aid.manage"),
            "org_form": bound.get("org_form") or forms.OrganisationForm(),
            "aid_form": bound.get("aid_form") or AidNewForm(),
        },
        status=status,
    )


@require_GET
@permission_required("support.aid.view")
def aid(request: HttpRequest) -> HttpResponse:
    return _aid_page(request)


@require_POST
@permission_required("support.aid.manage")
def aid_organisation_create(request: HttpRequest) -> HttpResponse:
    form = forms.OrganisationForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.aid_organisation_create(**form.cleaned_data),
        _("Organisation added."),
    ):
        return redirect("support:aid")
    return _aid_page(request, 422, org_form=form)


@require_POST
@permission_required("support.aid.edit")
def aid_create(request: HttpRequest) -> HttpResponse:
    form = AidNewForm(request.POST)
    created: dict[str, Any] = {}

    def call() -> None:
        data = dict(form.cleaned_data)
        patient = _patient_or_form_error(form)
        if patient is None:
            raise _FormError
        data.pop("mrn")
        created["a"] = services.aid_application_create(
            patient=patient, created_by=request.user, **data
        )

    try:
        ok = _run(request, form, call, _("Application created."))
    except _FormError:
        ok = False
    if ok:
        return redirect("support:aid-detail", pk=created["a"].pk)
    return _aid_page(request, 422, aid_form=form)


def _aid_detail_page(
    request: HttpRequest, a: AidApplication, status: int = 200, **bound: Any
) -> HttpResponse:
    docs = {d["code"]: d for d in vocab.aid_documents()}
    return render(
        request,
        "support/aid_detail.html",
        {
            "a": a,
            "patient": a.patient,
            "checklist": [
                {"code": c, "label": d["en"], "required": d["required"], "have": c in a.documents}
                for c, d in docs.items()
            ],
            "missing": calc.missing_documents(a.documents),
            "allowed": sorted(calc.AID_TRANSITIONS.get(a.status, ())),
            "history": a.status_changes.all(),
            "can_edit": has_perm(request.user, "support.aid.edit"),
            "docs_form": bound.get("docs_form")
            or forms.AidDocumentsForm(initial={"documents": a.documents}),
            "transition_form": bound.get("transition_form") or forms.AidTransitionForm(),
        },
        status=status,
    )


@require_GET
@permission_required("support.aid.view")
def aid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = _obj(AidApplication, pk)
    audit_record(action="read", obj=a, patient=a.patient)
    return _aid_detail_page(request, a)


@require_POST
@permission_required("support.aid.edit")
def aid_documents(request: HttpRequest, pk: int) -> HttpResponse:
    a = _obj(AidApplication, pk)
    form = forms.AidDocumentsForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.aid_application_set_documents(
            application=a, documents=form.cleaned_data["documents"]
        ),
        _("Documents saved."),
    ):
        return redirect("support:aid-detail", pk=pk)
    return _aid_detail_page(request, a, 422, docs_form=form)


@require_POST
@permission_required("support.aid.edit")
def aid_transition(request: HttpRequest, pk: int) -> HttpResponse:
    a = _obj(AidApplication, pk)
    form = forms.AidTransitionForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.aid_application_transition(
            application=a, by=request.user, **form.cleaned_data
        ),
        _("Status changed."),
    ):
        return redirect("support:aid-detail", pk=pk)
    a.refresh_from_db()
    return _aid_detail_page(request, a, 422, transition_form=form)


@require_GET
@permission_required("support.aid.view")
def aid_family(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = _patient_404(mrn)
    audit_record(action="read", patient=patient, object_type="support.aid_summary", object_id=mrn)
    return render(
        request,
        "support/aid_family.html",
        {"patient": patient, "s": selectors.family_aid_summary(patient)},
    )


# ============================================================================ shelter
def _shelter_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    today = _today()
    ranked = selectors.waitlist_ranked()
    occupancy = selectors.room_occupancy(today)
    audit_record(
        action="read",
        object_type="support.shelter",
        detail={
            "mrns": sorted(
                {r["entry"].patient.mrn for r in ranked}
                | {o["stay"].patient.mrn for o in occupancy if o["stay"]}
            )
        },
    )
    prefill = {"check_in": today, "guests": 2}
    if request.GET.get("entry"):
        entry = (
            ShelterWaitlistEntry.objects.filter(pk=request.GET["entry"])
            .select_related("patient")
            .first()
        )
        if entry:
            prefill.update(mrn=entry.patient.mrn, guests=entry.guests, waitlist_entry=entry.pk)
    return render(
        request,
        "support/shelter.html",
        {
            "occupancy": occupancy,
            "free": sum(1 for r in occupancy if r["stay"] is None),
            "ranked": ranked,
            "weights": selectors.shelter_weights(),
            "active_stays": ShelterStay.objects.filter(status=StayStatus.ACTIVE).select_related(
                "room__house", "patient"
            ),
            "can_edit": has_perm(request.user, "support.shelter.edit"),
            "can_manage": has_perm(request.user, "support.shelter.manage"),
            "checkin_form": bound.get("checkin_form") or forms.CheckInForm(initial=prefill),
            "waitlist_form": bound.get("waitlist_form")
            or forms.WaitlistForm(initial={"requested_on": today}),
            "house_form": bound.get("house_form") or forms.HouseForm(),
            "room_form": bound.get("room_form") or forms.RoomForm(),
            "checkout_form": forms.CheckOutForm(initial={"check_out": today}),
        },
        status=status,
    )


@require_GET
@permission_required("support.shelter.view")
def shelter(request: HttpRequest) -> HttpResponse:
    return _shelter_page(request)


@require_POST
@permission_required("support.shelter.edit")
def shelter_check_in(request: HttpRequest) -> HttpResponse:
    form = forms.CheckInForm(request.POST)

    def call() -> None:
        patient = _patient_or_form_error(form)
        if patient is None:
            raise _FormError
        entry_id = form.cleaned_data.get("waitlist_entry")
        entry = ShelterWaitlistEntry.objects.filter(pk=entry_id).first() if entry_id else None
        services.shelter_check_in(
            room=form.cleaned_data["room"],
            patient=patient,
            guests=form.cleaned_data["guests"],
            check_in=form.cleaned_data["check_in"],
            check_out=form.cleaned_data["check_out"],
            waitlist_entry=entry,
        )

    try:
        ok = _run(request, form, call, _("Checked in."))
    except _FormError:
        ok = False
    if ok:
        return redirect("support:shelter")
    return _shelter_page(request, 422, checkin_form=form)


@require_POST
@permission_required("support.shelter.edit")
def shelter_check_out(request: HttpRequest, pk: int) -> HttpResponse:
    stay = _obj(ShelterStay, pk)
    form = forms.CheckOutForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.shelter_check_out(stay=stay, **form.cleaned_data),
        _("Checked out."),
    ):
        return redirect("support:shelter")
    for errs in form.errors.values():
        for e in errs:
            messages.error(request, f"{_('Check-out')}: {e}")
    return _shelter_page(request, 422)


@require_POST
@permission_required("support.shelter.edit")
def shelter_waitlist_add(request: HttpRequest) -> HttpResponse:
    form = forms.WaitlistForm(request.POST)

    def call() -> None:
        patient = _patient_or_form_error(form)
        if patient is None:
            raise _FormError
        data = dict(form.cleaned_data)
        data.pop("mrn")
        services.waitlist_add(patient=patient, **data)

    try:
        ok = _run(request, form, call, _("Added to the waitlist."))
    except _FormError:
        ok = False
    if ok:
        return redirect("support:shelter")
    return _shelter_page(request, 422, waitlist_form=form)


@require_POST
@permission_required("support.shelter.edit")
def shelter_waitlist_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _obj(ShelterWaitlistEntry, pk)
    try:
        services.waitlist_withdraw(entry=entry)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Removed from the waitlist."))
    return redirect("support:shelter")


@require_POST
@permission_required("support.shelter.manage")
def shelter_house_create(request: HttpRequest) -> HttpResponse:
    form = forms.HouseForm(request.POST)
    if _run(
        request, form, lambda: services.shelter_house_create(**form.cleaned_data), _("House added.")
    ):
        return redirect("support:shelter")
    return _shelter_page(request, 422, house_form=form)


@require_POST
@permission_required("support.shelter.manage")
def shelter_room_create(request: HttpRequest) -> HttpResponse:
    form = forms.RoomForm(request.POST)
    if _run(
        request, form, lambda: services.shelter_room_create(**form.cleaned_data), _("Room added.")
    ):
        return redirect("support:shelter")
    return _shelter_page(request, 422, room_form=form)


# ============================================================================ palliative care
@require_GET
@permission_required("support.palliative.view")
def palliative(request: HttpRequest) -> HttpResponse:
    rows = PalliativeReferral.objects.select_related("patient").order_by("status", "-referred_on")
    audit_record(
        action="read",
        object_type="support.palliative",
        detail={"count": len(rows), "mrns": [r.patient.mrn for r in rows]},
    )
    return render(
        request,
        "support/palliative.html",
        {"rows": rows, "can_refer": has_perm(request.user, "support.palliative.refer")},
    )


class ReferForm(forms.PalliativeReferForm):
    mrn = forms.forms.CharField(label=_("Child's MRN"), max_length=10)


def _refer_page(request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
    return render(request, "support/palliative_refer.html", {"form": form}, status=status)


@permission_required("support.palliative.refer")
def palliative_refer(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _refer_page(
            request, ReferForm(initial={"referred_on": _today(), "mrn": request.GET.get("mrn", "")})
        )
    form = ReferForm(request.POST)

    def call() -> None:
        patient = _patient_or_form_error(form)
        if patient is None:
            raise _FormError
        data = dict(form.cleaned_data)
        data.pop("mrn")
        services.palliative_refer(patient=patient, referred_by=request.user, **data)

    try:
        ok = _run(request, form, call, _("Referral sent to the palliative care team."))
    except _FormError:
        ok = False
    if ok:
        return redirect("support:hub")
    return _refer_page(request, form, 422)


def _palliative_page(
    request: HttpRequest, r: PalliativeReferral, status: int = 200, **bound: Any
) -> HttpResponse:
    return render(
        request,
        "support/palliative_detail.html",
        {
            "r": r,
            "patient": r.patient,
            "bereavement": r.bereavement.all(),
            "can_edit": has_perm(request.user, "support.palliative.edit"),
            "form": bound.get("form")
            or forms.PalliativeUpdateForm(
                initial={
                    "status": r.status,
                    "goals_of_care": r.goals_of_care,
                    "symptom_plan": r.symptom_plan,
                    "advance_care_planning": r.advance_care_planning,
                    "place_of_care": r.place_of_care,
                    "decline_reason": r.decline_reason,
                }
            ),
            "bereavement_form": bound.get("bereavement_form") or forms.BereavementForm(),
            "status_active": PalliativeStatus.ACTIVE,
        },
        status=status,
    )


@require_GET
@permission_required("support.palliative.view")
def palliative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = _obj(PalliativeReferral, pk)
    audit_record(action="read", obj=r, patient=r.patient)
    return _palliative_page(request, r)


@require_POST
@permission_required("support.palliative.edit")
def palliative_update(request: HttpRequest, pk: int) -> HttpResponse:
    r = _obj(PalliativeReferral, pk)
    form = forms.PalliativeUpdateForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.palliative_update(referral=r, **form.cleaned_data),
        _("Saved."),
    ):
        return redirect("support:palliative-detail", pk=pk)
    return _palliative_page(request, r, 422, form=form)


@require_POST
@permission_required("support.palliative.edit")
def palliative_bereavement(request: HttpRequest, pk: int) -> HttpResponse:
    r = _obj(PalliativeReferral, pk)
    form = forms.BereavementForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.bereavement_plan(referral=r, **form.cleaned_data),
        _("Follow-up planned."),
    ):
        return redirect("support:palliative-detail", pk=pk)
    return _palliative_page(request, r, 422, bereavement_form=form)


# ============================================================================ social work
class CaseOpenForm(forms.SocialCaseForm):
    mrn = forms.forms.CharField(label=_("Child's MRN"), max_length=10)


def _social_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    mine = SocialCase.objects.filter(
        social_worker_id=request.user.pk, closed_on__isnull=True
    ).select_related("patient")
    audit_record(
        action="read",
        object_type="support.social",
        detail={"count": len(mine), "mrns": [c.patient.mrn for c in mine]},
    )
    return render(
        request,
        "support/social.html",
        {
            "caseload": selectors.caseload(),
            "mine": mine,
            "can_edit": has_perm(request.user, "support.social.edit"),
            "open_form": bound.get("open_form") or CaseOpenForm(initial={"opened_on": _today()}),
        },
        status=status,
    )


@require_GET
@permission_required("support.social.view")
def social(request: HttpRequest) -> HttpResponse:
    return _social_page(request)


@require_POST
@permission_required("support.social.edit")
def social_case_open(request: HttpRequest) -> HttpResponse:
    form = CaseOpenForm(request.POST)
    created: dict[str, Any] = {}

    def call() -> None:
        patient = _patient_or_form_error(form)
        if patient is None:
            raise _FormError
        created["c"] = services.social_case_open(
            patient=patient, social_worker=request.user, opened_on=form.cleaned_data["opened_on"]
        )

    try:
        ok = _run(request, form, call, _("Case opened."))
    except _FormError:
        ok = False
    if ok:
        return redirect("support:social-case", pk=created["c"].pk)
    return _social_page(request, 422, open_form=form)


def _case_page(
    request: HttpRequest, case: SocialCase, status: int = 200, **bound: Any
) -> HttpResponse:
    domains = {d["code"]: d["en"] for d in vocab.social_work_domains()}
    return render(
        request,
        "support/social_case.html",
        {
            "case": case,
            "patient": case.patient,
            "domains": domains,
            "assessments": [
                {"a": a, "levels": [(domains.get(k, k), v) for k, v in a.levels.items()]}
                for a in case.assessments.all()
            ],
            "interventions": case.interventions.all(),
            "can_edit": has_perm(request.user, "support.social.edit"),
            "assessment_form": bound.get("assessment_form")
            or forms.AssessmentForm(initial={"assessed_on": _today()}),
            "intervention_form": bound.get("intervention_form")
            or forms.InterventionForm(initial={"started_on": _today()}),
            "outcome_form": forms.OutcomeForm(initial={"completed_on": _today()}),
        },
        status=status,
    )


@require_GET
@permission_required("support.social.view")
def social_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = _obj(SocialCase, pk)
    audit_record(action="read", obj=case, patient=case.patient)
    return _case_page(request, case)


@require_POST
@permission_required("support.social.edit")
def social_case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _obj(SocialCase, pk)
    form = forms.CheckOutForm(request.POST)
    if form.is_valid():
        try:
            services.social_case_close(case=case, closed_on=form.cleaned_data["check_out"])
        except DomainError as exc:
            for p in exc.problems:
                messages.error(request, f"{p.field}: {p.message}")
            return _case_page(request, case, 422)
        messages.success(request, _("Case closed."))
        return redirect("support:social")
    messages.error(request, _("Closing date: enter a valid date."))
    return _case_page(request, case, 422)


@require_POST
@permission_required("support.social.edit")
def social_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = _obj(SocialCase, pk)
    form = forms.AssessmentForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.needs_assessment_record(case=case, **form.data_for_service()),
        _("Assessment saved."),
    ):
        return redirect("support:social-case", pk=pk)
    return _case_page(request, case, 422, assessment_form=form)


@require_POST
@permission_required("support.social.edit")
def social_intervention(request: HttpRequest, pk: int) -> HttpResponse:
    case = _obj(SocialCase, pk)
    form = forms.InterventionForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.intervention_add(case=case, **form.cleaned_data),
        _("Intervention added."),
    ):
        return redirect("support:social-case", pk=pk)
    return _case_page(request, case, 422, intervention_form=form)


@require_POST
@permission_required("support.social.edit")
def social_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    i = _obj(SocialIntervention, pk)
    form = forms.OutcomeForm(request.POST)
    if _run(
        request,
        form,
        lambda: services.intervention_record_outcome(intervention=i, **form.cleaned_data),
        _("Outcome recorded."),
    ):
        return redirect("support:social-case", pk=i.case_id)
    for errs in form.errors.values():
        for e in errs:
            messages.error(request, str(e))
    return _case_page(request, i.case, 422)


# ============================================================================ reports
def _years(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("years", 5)), 30))
    except ValueError:
        return 5


@require_GET
@permission_required("support.reports.view")
def reports(request: HttpRequest) -> HttpResponse:
    years = _years(request)
    iccc = selectors.report_cases_by_iccc(years=years)
    use = selectors.report_service_use(years=years)
    cats = [str(y) for y in iccc["years"]]
    iccc_series = {f"{g}": v for g, v in iccc["groups"].items() if any(v)}
    iccc_svg = charts.stacked_bar_svg(
        title=_("New pediatric cases per year by ICCC-3 group"),
        categories=cats,
        series=iccc_series,
        y_label=_("cases"),
    )
    use_svgs = [
        charts.stacked_bar_svg(
            title=title,
            categories=cats,
            series={label: values},
            y_label=unit,
            width=480,
            height=260,
        )
        for title, label, values, unit in (
            (
                _("Hospital school: children enrolled"),
                _("Hospital school"),
                use["school_children"],
                _("children"),
            ),
            (
                _("Aid: families granted support"),
                _("Aid granted"),
                use["aid_families"],
                _("families"),
            ),
            (
                _("Family shelter: families housed"),
                _("Family shelter"),
                use["shelter_families"],
                _("families"),
            ),
        )
    ]
    rows = [
        {
            "year": y,
            "school": use["school_children"][i],
            "days": use["school_days_present"][i],
            "aid": use["aid_families"][i],
            "amount": use["aid_amount"][i],
            "shelter": use["shelter_families"][i],
            "nights": use["shelter_nights"][i],
        }
        for i, y in enumerate(use["years"])
    ]
    audit_record(action="read", object_type="support.reports", detail={"years": years})
    return render(
        request,
        "support/reports.html",
        {
            "years": years,
            "iccc": iccc,
            "iccc_rows": [
                (g, selectors.ICCC_GROUPS[g], v, sum(v)) for g, v in iccc["groups"].items()
            ],
            "use_rows": rows,
            "iccc_svg": iccc_svg,
            "use_svgs": use_svgs,
        },
    )


@require_GET
@permission_required("support.reports.view")
def reports_csv(request: HttpRequest, kind: str) -> HttpResponse:
    years = _years(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    response.write("\ufeff")  # BOM so that spreadsheet programs read Hangul correctly
    writer = csv.writer(response)
    if kind == "cases-by-iccc":
        data = selectors.report_cases_by_iccc(years=years)
        writer.writerow(["iccc_group", "label", *data["years"], "total"])
        for g, values in data["groups"].items():
            writer.writerow([g, selectors.ICCC_GROUPS[g], *values, sum(values)])
    elif kind == "service-use":
        data = selectors.report_service_use(years=years)
        keys = [
            "school_children",
            "school_days_present",
            "aid_families",
            "aid_amount",
            "shelter_families",
            "shelter_nights",
        ]
        writer.writerow(["year", *keys])
        for i, y in enumerate(data["years"]):
            writer.writerow([y, *[data[k][i] for k in keys]])
    else:
        raise Http404("unknown report")
    audit_record(
        action="export", object_type="support.reports", detail={"report": kind, "years": years}
    )
    return response
