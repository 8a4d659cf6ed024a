"""Staff pages for nutrition and QoL: recording forms on the patient page, worklists, settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import DomainError, ValidationFailed
from oncocenter.core.views import permission_required
from oncocenter.nutrition import selectors, services
from oncocenter.nutrition.forms import MilestoneForm, RecordForm, ScreeningForm, SettingsForm
from oncocenter.nutrition.models import NutritionAlert, QoLAlert, Questionnaire
from oncocenter.patients.selectors import patient_get


def _errors(exc: DomainError) -> str:
    return (
        "; ".join(f"{p.field}: {p.message}" for p in exc.problems) if exc.problems else exc.message
    )


def _patient_page(request: HttpRequest, mrn: str, key: str, form, status: int) -> HttpResponse:
    from oncocenter.patients.views import detail

    request._nutrition_forms = {key: form}  # type: ignore[attr-defined]
    response = detail(request, mrn)
    response.status_code = status
    return response


@require_POST
@permission_required("nutrition.record")
def record(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = RecordForm(request.POST)
    if not form.is_valid():
        return _patient_page(request, mrn, "record_form", form, 400)
    try:
        _rec, alerts = services.nutrition_record_create(
            patient=patient, actor=request.user, **form.cleaned_data
        )
    except ValidationFailed as exc:
        form.add_domain_errors(exc)
        return _patient_page(request, mrn, "record_form", form, exc.status)
    messages.success(request, _("Nutrition record saved."))
    for a in alerts:
        messages.warning(request, _("Alert for the dietitian: %(text)s") % {"text": a.message})
    return redirect("patients:detail", mrn=mrn)


@require_POST
@permission_required("nutrition.record")
def screening(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = ScreeningForm(request.POST)
    if not form.is_valid():
        return _patient_page(request, mrn, "screening_form", form, 400)
    try:
        row, _alerts = services.nrs_screening_record(
            patient=patient, actor=request.user, **form.cleaned_data
        )
    except ValidationFailed as exc:
        form.add_domain_errors(exc)
        return _patient_page(request, mrn, "screening_form", form, exc.status)
    messages.success(request, _("NRS-2002 score %(n)s recorded.") % {"n": row.total})
    return redirect("patients:detail", mrn=mrn)


@require_POST
@permission_required("nutrition.record")
def milestone(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return _patient_page(request, mrn, "milestone_form", form, 400)
    try:
        services.milestone_record(patient=patient, actor=request.user, **form.cleaned_data)
    except ValidationFailed as exc:
        form.add_domain_errors(exc)
        return _patient_page(request, mrn, "milestone_form", form, exc.status)
    except DomainError as exc:
        form.add_error(None, _errors(exc))
        return _patient_page(request, mrn, "milestone_form", form, exc.status)
    messages.success(request, _("Milestone recorded."))
    return redirect("patients:detail", mrn=mrn)


@require_POST
@permission_required("qol.record")
def qol_record(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    q = get_object_or_404(Questionnaire, code=request.POST.get("questionnaire", ""))
    answers = {}
    for item in q.definition["items"]:
        raw = request.POST.get(f"q_{item['code']}", "")
        answers[item["code"]] = int(raw) if raw.strip().lstrip("-").isdigit() else None
    try:
        import datetime as dt

        answered_on = dt.date.fromisoformat(request.POST.get("answered_on", ""))
    except ValueError:
        messages.error(request, _("answered_on: enter a date"))
        return redirect("patients:detail", mrn=mrn)
    try:
        _resp, alerts = services.qol_response_record(
            patient=patient,
            questionnaire=q,
            answered_on=answered_on,
            answers=answers,
            actor=request.user,
        )
    except ValidationFailed as exc:
        messages.error(request, _errors(exc))
        return _patient_page(request, mrn, "qol_error", _errors(exc), exc.status)
    messages.success(request, _("Questionnaire recorded."))
    for a in alerts:
        messages.warning(
            request,
            _("Quality-of-life drop on %(sub)s: %(pts)s points (care team worklist).")
            % {"sub": a.subscale, "pts": a.points},
        )
    return redirect("patients:detail", mrn=mrn)


@permission_required("nutrition.alerts")
def worklist(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.dietitian_worklist())
    audit_record(
        action=AuditAction.READ,
        object_type="nutrition.nutritionalert",
        detail={"worklist": "dietitian", "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return render(request, "nutrition/worklist.html", {"rows": rows})


@require_POST
@permission_required("nutrition.alerts")
def alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(NutritionAlert.objects.select_related("patient"), pk=pk)
    htmx = bool(request.headers.get("HX-Request"))
    try:
        alert = services.nutrition_alert_handle(
            alert=alert, status=request.POST.get("status", ""), actor=request.user
        )
    except DomainError as exc:
        if htmx:
            return HttpResponse(_errors(exc), status=exc.status)
        messages.error(request, _errors(exc))
        return redirect("nutrition:worklist")
    if htmx:
        # htmx swaps just this row; a resolved alert leaves the worklist
        if alert.status == "resolved":
            return HttpResponse("")
        return render(request, "nutrition/_partials/alert_row.html", {"a": alert})
    return redirect("nutrition:worklist")


@permission_required("qol.alerts")
def qol_worklist(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.qol_worklist())
    audit_record(
        action=AuditAction.READ,
        object_type="nutrition.qolalert",
        detail={"worklist": "qol", "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return render(request, "nutrition/qol_worklist.html", {"rows": rows})


@require_POST
@permission_required("qol.alerts")
def qol_alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(QoLAlert, pk=pk)
    try:
        services.qol_alert_handle(
            alert=alert, status=request.POST.get("status", ""), actor=request.user
        )
    except DomainError as exc:
        messages.error(request, _errors(exc))
    return redirect("nutrition:qol-worklist")


@require_http_methods(["GET", "POST"])
@permission_required("nutrition.settings")
def settings_view(request: HttpRequest) -> HttpResponse:
    current = services.settings_get()
    form = SettingsForm(
        request.POST or None, initial={f: getattr(current, f) for f in services.SETTINGS_FIELDS}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.alert_settings_update(data=dict(form.cleaned_data), actor=request.user)
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
                status = 422
            else:
                messages.success(request, _("Alert thresholds saved."))
                return redirect("nutrition:settings")
    return render(request, "nutrition/settings.html", {"form": form}, status=status)
