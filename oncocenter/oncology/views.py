"""Staff pages: the patient's cancer record (with its forms), the chart timeline, the workup
worklist, code autocomplete and the co-payment reminder list."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from oncocenter.core.errors import DomainError, NotFound, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.oncology import codes, services
from oncocenter.oncology import forms as oforms
from oncocenter.oncology.chart import patient_timeline
from oncocenter.oncology.models import Diagnosis, WorkupDepartment, WorkupOrder
from oncocenter.oncology.selectors import oncology_record, workup_turnaround, workup_worklist
from oncocenter.patients.selectors import patient_get
from oncocenter.patients.selectors_record import copay_expiring, patient_record, record_gaps

# form key -> (form class, permission); the key is also the form prefix
RECORD_FORMS: dict[str, tuple[type[oforms.DomainForm], str]] = {
    "diagnosis": (oforms.DiagnosisForm, "diagnosis.edit"),
    "dxstatus": (oforms.DiagnosisStatusForm, "diagnosis.edit"),
    "staging": (oforms.StagingForm, "staging.edit"),
    "status": (oforms.DiseaseStatusForm, "observation.record"),
    "performance": (oforms.PerformanceForm, "observation.record"),
    "marker": (oforms.MarkerForm, "observation.record"),
    "treatment": (oforms.TreatmentForm, "treatment.record"),
    "workup": (oforms.WorkupForm, "workup.order"),
}


def _diagnosis_choices(diagnoses: list[Diagnosis]) -> list[tuple[int, str]]:
    return [
        (d.pk, f"{d.icd10_code} {d.icdo3_morphology} ({d.diagnosed_on:%Y-%m-%d})")
        for d in diagnoses
    ]


def _staging_help(diagnoses: list[Diagnosis]) -> list[dict[str, Any]]:
    """The AJCC value sets of the sites of this patient's diagnoses, shown beside the form."""
    from oncocenter.oncology import staging

    seen, rows = set(), []
    for d in diagnoses:
        site = staging.site_for_icd10(d.icd10_code)
        if site in seen or not d.icd10_code.startswith("C"):
            continue
        seen.add(site)
        spec = staging.sites()[site]
        rows.append(
            {
                "site": spec["label_en"],
                "t": spec["T"],
                "n": spec["N"],
                "m": spec["M"],
                "groups": spec["stage_groups"],
            }
        )
    return rows


def _patient_referrals(patient: Any) -> list:
    from oncocenter.referrals.models import Referral

    return list(Referral.objects.filter(patient=patient).order_by("-requested_at")[:50])


def _save(key: str, form: forms.Form, patient: Any, user: Any) -> None:
    data = dict(form.cleaned_data)
    if key == "diagnosis":
        services.diagnosis_create(patient=patient, recorded_by=user, **data)
    elif key == "dxstatus":
        diagnosis = Diagnosis.objects.get(pk=data.pop("diagnosis"), patient=patient)
        services.diagnosis_set_status(diagnosis=diagnosis, **data)
    elif key == "staging":
        diagnosis = Diagnosis.objects.get(pk=data.pop("diagnosis"), patient=patient)
        services.staging_record(diagnosis=diagnosis, recorded_by=user, **data)
    elif key == "status":
        diagnosis = Diagnosis.objects.get(pk=data.pop("diagnosis"), patient=patient)
        services.disease_status_record(diagnosis=diagnosis, recorded_by=user, **data)
    elif key == "performance":
        services.performance_record(patient=patient, recorded_by=user, **data)
    elif key == "marker":
        services.tumor_marker_record(patient=patient, recorded_by=user, **data)
    elif key == "treatment":
        services.treatment_episode_create(patient=patient, by=user, source="ui", **data)
    elif key == "workup":
        services.workup_order_create(patient=patient, ordered_by=user, **data)


@require_http_methods(["GET", "POST"])
@permission_required("oncology.view")
def record(request: HttpRequest, mrn: str) -> HttpResponse:
    """The cancer record of one patient: every list and, per permission, the form to add to it."""
    try:
        patient = patient_get(mrn=mrn, audit=False)
    except NotFound as exc:
        return render(request, "patients/not_found.html", {"message": exc.message}, status=404)
    posted = request.POST.get("form") if request.method == "POST" else None
    if posted is not None and (
        posted not in RECORD_FORMS or not has_perm(request.user, RECORD_FORMS[posted][1])
    ):
        return render(
            request,
            "core/forbidden.html",
            {"permission": RECORD_FORMS.get(posted, ("", posted))[1]},
            status=403,
        )
    diagnoses = list(Diagnosis.objects.filter(patient=patient))
    bound: dict[str, oforms.DomainForm] = {}
    status = 200
    for key, (form_class, perm) in RECORD_FORMS.items():
        if not has_perm(request.user, perm):
            continue
        form = form_class(request.POST if key == posted else None, prefix=key)
        if "diagnosis" in form.fields:
            oforms.set_choices(form, "diagnosis", _diagnosis_choices(diagnoses))
        bound[key] = form
    if posted is not None:
        form = bound[posted]
        if form.is_valid():
            try:
                _save(posted, form, patient, request.user)
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("oncology:record", mrn=patient.mrn)
        status = 400
    context = {
        "patient": patient,
        "rec": oncology_record(patient=patient),
        "forms": bound,
        "record_extra": patient_record(patient=patient)
        if has_perm(request.user, "record.view")
        else None,
        "record_gaps": record_gaps(patient=patient),
        "staging_help": _staging_help(diagnoses),
        "referrals": _patient_referrals(patient)
        if has_perm(request.user, "referral.view")
        else None,
        "can_refer": has_perm(request.user, "referral.create"),
        "can_edit_record": has_perm(request.user, "record.edit"),
    }
    return render(request, "oncology/record.html", context, status=status)


@require_GET
@permission_required("oncology.view")
def chart(request: HttpRequest, mrn: str) -> HttpResponse:
    """Timeline of everything clinical on one page; the query count and time are shown for support."""
    try:
        patient = patient_get(mrn=mrn, audit=False)
    except NotFound as exc:
        return render(request, "patients/not_found.html", {"message": exc.message}, status=404)
    started = time.perf_counter()
    counted: list[str] = []

    def count(execute, sql, params, many, context):  # shown on the page for support staff
        counted.append(sql)
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
        if not has_perm(request.user, "workup.result"):
            return render(
                request, "core/forbidden.html", {"permission": "workup.result"}, status=403
            )
        order = WorkupOrder.objects.filter(pk=request.POST.get("order") or 0).first()
        form = oforms.WorkupAdvanceForm(request.POST)
        if order is None:
            messages.error(request, _("No such order."))
        elif form.is_valid():
            try:
                services.workup_order_advance(order=order, by=request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Order updated."))
                return redirect(f"{request.path}?department={department}")
        if order is not None:
            error_for[order.pk] = form
            status = 400
    orders = workup_worklist(department=department)
    rows = [(o, error_for.get(o.pk) or oforms.WorkupAdvanceForm(prefix=f"o{o.pk}")) for o in orders]
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


RECORD_EXTRA_FORMS = {
    "center": "patient.edit",
    "guardian": "record.edit",
    "consent": "consent.record",
    "careteam": "record.edit",
    "copay": "copay.manage",
}


@require_http_methods(["GET", "POST"])
@permission_required("record.view")
def record_edit(request: HttpRequest, mrn: str) -> HttpResponse:
    """Record completion: guardians, consent/assent, care team, co-payment registration."""
    from django.contrib.auth import get_user_model

    from oncocenter.patients import forms_record as rforms
    from oncocenter.patients import services_record as rsvc
    from oncocenter.patients.services import patient_join_center

    try:
        patient = patient_get(mrn=mrn, audit=False)
    except NotFound as exc:
        return render(request, "patients/not_found.html", {"message": exc.message}, status=404)
    classes = {
        "center": rforms.CenterForm,
        "guardian": rforms.GuardianForm,
        "consent": rforms.ConsentForm,
        "careteam": rforms.CareTeamForm,
        "copay": rforms.CopayForm,
    }
    posted = request.POST.get("form") if request.method == "POST" else None
    if posted is not None and (
        posted not in classes or not has_perm(request.user, RECORD_EXTRA_FORMS[posted])
    ):
        return render(
            request,
            "core/forbidden.html",
            {"permission": RECORD_EXTRA_FORMS.get(posted, posted)},
            status=403,
        )
    bound = {}
    for key, form_class in classes.items():
        if has_perm(request.user, RECORD_EXTRA_FORMS[key]):
            form = form_class(request.POST if key == posted else None, prefix=key)
            if key == "consent":
                oforms.set_choices(
                    form,
                    "guardian",
                    [("", "—")] + [(g.pk, str(g)) for g in patient.guardians.all()],
                )
            bound[key] = form
    status = 200
    if posted is not None:
        form = bound[posted]
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if posted == "center":
                    patient_join_center(
                        patient=patient, center_code=data["center_code"], since=data["since"]
                    )
                elif posted == "guardian":
                    rsvc.guardian_add(patient=patient, **data)
                elif posted == "consent":
                    gid = data.pop("guardian")
                    guardian = patient.guardians.filter(pk=gid).first() if gid else None
                    rsvc.consent_record(
                        patient=patient, guardian=guardian, recorded_by=request.user, **data
                    )
                elif posted == "careteam":
                    user = (
                        get_user_model()
                        .objects.filter(username=data.pop("username"), is_active=True)
                        .first()
                    )
                    if user is None:
                        raise ValidationFailed.single(
                            "username", _("is not an active staff member")
                        )
                    rsvc.care_team_add(patient=patient, user=user, **data)
                else:
                    rsvc.copay_register(patient=patient, recorded_by=request.user, **data)
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("oncology:record", mrn=patient.mrn)
        status = 400
    return render(
        request, "oncology/record_edit.html", {"patient": patient, "forms": bound}, status=status
    )
