"""Staff pages: the patient's cancer record (with its forms), record completion, the chart
timeline, the workup worklist, code autocomplete and the co-payment reminder list."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from oncocenter.accounts.models import User
from oncocenter.accounts.selectors import current_user
from oncocenter.core.errors import NotFound, NotPermitted, ValidationFailed
from oncocenter.core.forms import DomainForm, run_service, set_choices
from oncocenter.core.permissions import has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.oncology import codes, services, staging
from oncocenter.oncology import forms as oforms
from oncocenter.oncology.chart import patient_timeline
from oncocenter.oncology.hooks import RECORD_SECTIONS
from oncocenter.oncology.labels import staging_site_label
from oncocenter.oncology.models import (
    VITALS_CURRENT,
    Diagnosis,
    VitalSigns,
    WorkupDepartment,
    WorkupOrder,
)
from oncocenter.oncology.selectors import (
    copay_expiring,
    copay_registrations,
    oncology_record,
    workup_turnaround,
    workup_worklist,
)
from oncocenter.patients import forms_record as rforms
from oncocenter.patients import services_record as rsvc
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get
from oncocenter.patients.selectors_record import patient_record, record_gaps
from oncocenter.patients.services import patient_join_center

# Django's own input ids ("id_<form key>-<field>"): every form of these pages has its own prefix,
# so the ids are unique, and the browser walks address them.
IDS = "id_%s"

# form key -> (form class, permission); the key is also the form prefix
RECORD_FORMS: dict[str, tuple[type[DomainForm], str]] = {
    "diagnosis": (oforms.DiagnosisForm, "diagnosis.edit"),
    "dxstatus": (oforms.DiagnosisStatusForm, "diagnosis.edit"),
    "staging": (oforms.StagingForm, "staging.edit"),
    "status": (oforms.DiseaseStatusForm, "observation.record"),
    "performance": (oforms.PerformanceForm, "observation.record"),
    "marker": (oforms.MarkerForm, "observation.record"),
    "vitals": (oforms.VitalSignsForm, "observation.record"),
    "vitals_error": (oforms.VitalSignsErrorForm, "observation.record"),
    "vitals_correct": (oforms.VitalSignsCorrectForm, "observation.record"),
    "treatment": (oforms.TreatmentForm, "treatment.record"),
    "workup": (oforms.WorkupForm, "workup.order"),
}


def _posted_form(request: HttpRequest, permissions: dict[str, str]) -> str | None:
    """The key of the form a POST submits, once the user's roles allow it (else 403)."""
    if request.method != "POST":
        return None
    posted = request.POST.get("form", "")
    if posted not in permissions:
        raise NotPermitted(_("This page has no form '%(form)s'.") % {"form": posted})
    require(request.user, permissions[posted])
    return posted


def _diagnosis_choices(diagnoses: list[Diagnosis]) -> list[tuple[Any, Any]]:
    return [
        (d.pk, f"{d.icd10_code} {d.icdo3_morphology} ({d.diagnosed_on:%Y-%m-%d})")
        for d in diagnoses
    ]


def _staging_help(diagnoses: list[Diagnosis]) -> list[dict[str, Any]]:
    """The AJCC value sets of the sites of this patient's diagnoses, shown beside the form."""
    seen, rows = set(), []
    for d in diagnoses:
        site = staging.site_for_icd10(d.icd10_code)
        if site in seen or not d.icd10_code.startswith("C"):
            continue
        seen.add(site)
        spec = staging.sites()[site]
        rows.append(
            {
                "site": staging_site_label(site),
                "t": spec["T"],
                "n": spec["N"],
                "m": spec["M"],
                "groups": spec["stage_groups"],
            }
        )
    return rows


def _vitals_choices(sets: list[VitalSigns]) -> list[tuple[Any, Any]]:
    """The listed sets that stand (a set is corrected once)."""
    return [
        (v.pk, f"{timezone.localtime(v.measured_at):%Y-%m-%d %H:%M} (#{v.pk})")
        for v in sets
        if v.status in VITALS_CURRENT
    ]


def _vitals_initial(sets: list[VitalSigns], wanted: str) -> dict[str, Any]:
    """The correction form filled with the set the "Correct" link chose (`?correct=<id>`)."""
    chosen = next((v for v in sets if str(v.pk) == wanted and v.status in VITALS_CURRENT), None)
    if chosen is None:
        return {}
    return {
        "vital_signs": chosen.pk,
        "measured_at": timezone.localtime(chosen.measured_at).replace(tzinfo=None),
        **{name: getattr(chosen, name) for name in (*VitalSigns.MEASUREMENTS, "diastolic_mmhg")},
    }


def _record_call(
    key: str,
    form: DomainForm,
    patient: Patient,
    by: User,
    diagnoses: list[Diagnosis],
    sets: list[VitalSigns],
) -> Callable[[], object]:
    """The one service call a record form stands for."""

    def call() -> object:
        data = dict(form.cleaned_data)
        if "diagnosis" in data:
            # The choices are this patient's diagnoses, so the form already refused any other.
            data["diagnosis"] = next(d for d in diagnoses if d.pk == data["diagnosis"])
        if key == "diagnosis":
            return services.diagnosis_create(patient=patient, by=by, **data)
        if key == "dxstatus":
            return services.diagnosis_set_status(by=by, **data)
        if key == "staging":
            return services.staging_record(by=by, **data)
        if key == "status":
            return services.disease_status_record(by=by, **data)
        if key == "performance":
            return services.performance_record(patient=patient, by=by, **data)
        if key == "marker":
            return services.tumor_marker_record(patient=patient, by=by, **data)
        if key == "vitals":
            return services.vital_signs_record(patient=patient, by=by, **data)
        if key in ("vitals_error", "vitals_correct"):
            # The choices are this patient's standing sets, so the form already refused any other.
            data["vital_signs"] = next(v for v in sets if v.pk == data["vital_signs"])
            if key == "vitals_error":
                return services.vital_signs_mark_entered_in_error(by=by, **data)
            return services.vital_signs_correct(by=by, **data)
        if key == "treatment":
            return services.treatment_episode_create(patient=patient, by=by, source="ui", **data)
        return services.workup_order_create(patient=patient, by=by, **data)

    return call


def _record_sections(request: HttpRequest, patient: Patient) -> list[dict[str, Any]]:
    """The blocks the apps above oncology add to the record (referrals: the patient's consults)."""
    sections = []
    for section in sorted(RECORD_SECTIONS.providers(), key=lambda s: s.order):
        if has_perm(request.user, section.permission):
            context = section.context(request, patient)
            if context is not None:
                sections.append({"section": section, "context": context})
    return sections


@require_http_methods(["GET", "POST"])
@permission_required("oncology.view")
def record(request: HttpRequest, mrn: str) -> HttpResponse:
    """The cancer record of one patient: every list and, per permission, the form to add to it."""
    patient = patient_get(mrn=mrn, audit=False)
    posted = _posted_form(request, {key: perm for key, (_c, perm) in RECORD_FORMS.items()})
    diagnoses = list(Diagnosis.objects.filter(patient=patient))
    # A POST's read is audited only when the page is shown again (below), not before a redirect.
    rec = oncology_record(patient=patient, audit=posted is None)
    bound: dict[str, DomainForm] = {}
    for key, (form_class, perm) in RECORD_FORMS.items():
        if not has_perm(request.user, perm):
            continue
        initial = (
            _vitals_initial(rec.vitals, request.GET.get("correct", ""))
            if key == "vitals_correct"
            else None
        )
        form = form_class(
            request.POST if key == posted else None, prefix=key, auto_id=IDS, initial=initial
        )
        if "diagnosis" in form.fields:
            set_choices(form, "diagnosis", _diagnosis_choices(diagnoses))
        if "vital_signs" in form.fields:
            set_choices(form, "vital_signs", _vitals_choices(rec.vitals))
        bound[key] = form
    status = 200
    if posted is not None:
        form = bound[posted]
        outcome = run_service(
            request,
            form,
            _record_call(posted, form, patient, current_user(request), diagnoses, rec.vitals),
            success=_("Saved."),
        )
        if outcome.ok:
            return redirect("oncology:record", mrn=patient.mrn)
        status = outcome.status
        rec = oncology_record(patient=patient)
    show_record = has_perm(request.user, "record.view")
    context = {
        "patient": patient,
        "rec": rec,
        "forms": bound,
        "record_extra": patient_record(patient=patient) if show_record else None,
        "copay": copay_registrations(patient=patient) if show_record else None,
        "record_gaps": record_gaps(patient=patient),
        "staging_help": _staging_help(diagnoses),
        "sections": _record_sections(request, patient),
        "can_edit_record": has_perm(request.user, "record.edit"),
    }
    return render(request, "oncology/record.html", context, status=status)


@require_GET
@permission_required("oncology.view")
def chart(request: HttpRequest, mrn: str) -> HttpResponse:
    """Timeline of everything clinical on one page; the query count and time are shown for support."""
    patient = patient_get(mrn=mrn, audit=False)
    started = time.perf_counter()
    counted: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted.append(sql)  # shown on the page for support staff
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        events = patient_timeline(patient=patient)
    kinds = sorted({(e.kind, e.kind_label) for e in events})
    wanted = request.GET.get("kind", "")
    if wanted:
        events = [e for e in events if e.kind == wanted]
    return render(
        request,
        "oncology/chart.html",
        {
            "patient": patient,
            "events": events,
            "kinds": kinds,
            "wanted": wanted,
            "elapsed_ms": round((time.perf_counter() - started) * 1000),
            "queries": len(counted),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("workup.view")
def workup(request: HttpRequest) -> HttpResponse:
    department = request.GET.get("department") or WorkupDepartment.PATHOLOGY
    if department not in WorkupDepartment.values:
        department = WorkupDepartment.PATHOLOGY
    error_for: dict[int, oforms.WorkupAdvanceForm] = {}
    status = 200
    if request.method == "POST":
        require(request.user, "workup.result")
        order = WorkupOrder.objects.filter(pk=request.POST.get("order") or 0).first()
        if order is None:
            raise NotFound(_("No such order."))
        form = oforms.WorkupAdvanceForm(request.POST, auto_id=IDS)
        outcome = run_service(
            request,
            form,
            lambda: services.workup_order_advance(
                order=order, by=current_user(request), **form.cleaned_data
            ),
            success=_("Order updated."),
        )
        if outcome.ok:
            return redirect(f"{request.path}?department={department}")
        error_for[order.pk] = form
        status = outcome.status
    orders = workup_worklist(department=department)
    rows = [
        (o, error_for.get(o.pk) or oforms.WorkupAdvanceForm(prefix=f"o{o.pk}", auto_id=IDS))
        for o in orders
    ]
    return render(
        request,
        "oncology/workup.html",
        {
            "department": department,
            "departments": WorkupDepartment.choices,
            "rows": rows,
            "turnaround": [(WorkupDepartment(d).label, t) for d, t in workup_turnaround().items()],
            "can_result": has_perm(request.user, "workup.result"),
        },
        status=status,
    )


@require_GET
@permission_required("oncology.view")
def code_options(request: HttpRequest) -> HttpResponse:
    """htmx autocomplete: <option> elements for a datalist."""
    code_list = request.GET.get("list", codes.ICD10)
    if code_list not in codes.LISTS:
        return HttpResponse(status=400)
    query = next((str(v) for k, v in request.GET.items() if k != "list"), "")
    lang = getattr(request, "LANGUAGE_CODE", "en")
    return render(
        request,
        "oncology/_partials/code_options.html",
        {"codes": codes.search(code_list, query), "lang": lang},
    )


@require_GET
@permission_required("copay.manage")
def copay_reminders(request: HttpRequest) -> HttpResponse:
    return render(request, "oncology/copay.html", {"rows": copay_expiring()})


# form key -> (form class, permission) of the record-completion page
RECORD_EXTRA_FORMS: dict[str, tuple[type[DomainForm], str]] = {
    "center": (rforms.CenterForm, "patient.edit"),
    "guardian": (rforms.GuardianForm, "record.edit"),
    "consent": (rforms.ConsentForm, "consent.record"),
    "careteam": (rforms.CareTeamForm, "record.edit"),
    "copay": (oforms.CopayForm, "copay.manage"),
}


def _record_extra_call(
    key: str, form: DomainForm, patient: Patient, by: User
) -> Callable[[], object]:
    def call() -> object:
        data = dict(form.cleaned_data)
        if key == "center":
            return patient_join_center(patient=patient, by=by, **data)
        if key == "guardian":
            return rsvc.guardian_add(patient=patient, by=by, **data)
        if key == "consent":
            gid = data.pop("guardian")
            guardian = patient.guardians.filter(pk=gid).first() if gid else None
            return rsvc.consent_record(patient=patient, by=by, guardian=guardian, **data)
        if key == "careteam":
            user = User.objects.filter(username=data.pop("username"), is_active=True).first()
            if user is None:
                raise ValidationFailed.single("username", _("is not an active staff member"))
            return rsvc.care_team_add(patient=patient, by=by, user=user, **data)
        return services.copay_register(patient=patient, by=by, **data)

    return call


@require_http_methods(["GET", "POST"])
@permission_required("record.view")
def record_edit(request: HttpRequest, mrn: str) -> HttpResponse:
    """Record completion: guardians, consent/assent, care team, co-payment registration."""
    # A GET shows the patient (the form's heading): audited as a read; a POST's service audits.
    patient = patient_get(mrn=mrn, audit=request.method == "GET")
    posted = _posted_form(request, {key: perm for key, (_c, perm) in RECORD_EXTRA_FORMS.items()})
    bound: dict[str, DomainForm] = {}
    for key, (form_class, perm) in RECORD_EXTRA_FORMS.items():
        if has_perm(request.user, perm):
            form = form_class(request.POST if key == posted else None, prefix=key, auto_id=IDS)
            if key == "consent":
                set_choices(
                    form,
                    "guardian",
                    [("", "—")] + [(g.pk, str(g)) for g in patient.guardians.all()],
                )
            bound[key] = form
    status = 200
    if posted is not None:
        outcome = run_service(
            request,
            bound[posted],
            _record_extra_call(posted, bound[posted], patient, current_user(request)),
            success=_("Saved."),
        )
        if outcome.ok:
            return redirect("oncology:record", mrn=patient.mrn)
        status = outcome.status
    return render(
        request, "oncology/record_edit.html", {"patient": patient, "forms": bound}, status=status
    )
