"""Staff pages for nutrition and QoL: recording forms on the patient page, worklists, settings.

Each write parses a form and calls one service through `run_service`; a refusal re-renders the
page it came from with the problems beside the fields (ranges name the value and the unit).
"""

from __future__ import annotations

from functools import partial
from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import DomainForm, run_service
from oncocenter.core.middleware import is_htmx
from oncocenter.core.views import permission_required
from oncocenter.nutrition import selectors, services
from oncocenter.nutrition.forms import (
    AlertHandleForm,
    MilestoneForm,
    QoLForm,
    RecordForm,
    ScreeningForm,
    SettingsForm,
)
from oncocenter.nutrition.models import NRSScreening, NutritionAlert, QoLAlert, Questionnaire
from oncocenter.patients import views as patient_views
from oncocenter.patients.selectors import patient_get


def _user(request: HttpRequest) -> User:
    # `permission_required` lets only signed-in staff through.
    return cast(User, request.user)


# The patient page again with the refused form of this app's section.
_patient_page = partial(patient_views.detail_again, forms_attr="_nutrition_forms")


@require_POST
@permission_required("nutrition.record")
def record(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = RecordForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.nutrition_record_create(
            by=_user(request), patient=patient, **form.cleaned_data
        ),
        success=_("Nutrition record saved."),
    )
    if not outcome.ok or outcome.value is None:
        return _patient_page(request, mrn, "record_form", form, outcome.status)
    _record, alerts = outcome.value
    for alert in alerts:
        messages.warning(
            request, _("Alert for the dietitian: %(text)s") % {"text": alert.localized_message}
        )
    return redirect("patients:detail", mrn=mrn)


@require_POST
@permission_required("nutrition.record")
def screening(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = ScreeningForm(request.POST)

    def screened(result: tuple[NRSScreening, list[NutritionAlert]]) -> str:
        return _("NRS-2002 score %(n)s recorded.") % {"n": result[0].total}

    outcome = run_service(
        request,
        form,
        lambda: services.nrs_screening_record(
            by=_user(request), patient=patient, **form.cleaned_data
        ),
        success=screened,
    )
    if not outcome.ok:
        return _patient_page(request, mrn, "screening_form", form, outcome.status)
    return redirect("patients:detail", mrn=mrn)


@require_POST
@permission_required("nutrition.record")
def milestone(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = MilestoneForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.milestone_record(by=_user(request), patient=patient, **form.cleaned_data),
        success=_("Milestone recorded."),
    )
    if not outcome.ok:
        return _patient_page(request, mrn, "milestone_form", form, outcome.status)
    return redirect("patients:detail", mrn=mrn)


@require_POST
@permission_required("qol.record")
def qol_record(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    questionnaire = get_object_or_404(Questionnaire, code=request.POST.get("questionnaire", ""))
    # One select per item of the questionnaire (its items are data, not form fields).
    answers: dict[str, int | None] = {}
    for item in questionnaire.definition["items"]:
        raw = request.POST.get(f"q_{item['code']}", "")
        answers[item["code"]] = int(raw) if raw.strip().lstrip("-").isdigit() else None
    form = QoLForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.qol_response_record(
            by=_user(request),
            patient=patient,
            questionnaire=questionnaire,
            answered_on=form.cleaned_data["answered_on"],
            answers=answers,
        ),
        success=_("Questionnaire recorded."),
    )
    if not outcome.ok or outcome.value is None:
        return _patient_page(request, mrn, "qol_form", form, outcome.status)
    _response, alerts = outcome.value
    language = "ko" if (get_language() or "").startswith("ko") else "en"
    subscales = {
        sub["code"]: sub["name"][language] for sub in questionnaire.definition.get("subscales", [])
    }
    for alert in alerts:
        messages.warning(
            request,
            _("Quality-of-life drop on %(sub)s: %(pts)s points (care team worklist).")
            % {"sub": subscales.get(alert.subscale, alert.subscale), "pts": alert.points},
        )
    return redirect("patients:detail", mrn=mrn)


def _worklist_page(
    request: HttpRequest, *, form: DomainForm | None = None, status: int = 200
) -> HttpResponse:
    rows = list(selectors.dietitian_worklist())
    audit_record(
        action=AuditAction.READ,
        object_type="nutrition.nutritionalert",
        detail={"worklist": "dietitian", "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return render(request, "nutrition/worklist.html", {"rows": rows, "form": form}, status=status)


@permission_required("nutrition.alerts")
def worklist(request: HttpRequest) -> HttpResponse:
    return _worklist_page(request)


@require_POST
@permission_required("nutrition.alerts")
def alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(NutritionAlert.objects.select_related("patient"), pk=pk)
    form = AlertHandleForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.nutrition_alert_handle(
            by=_user(request), alert=alert, status=form.cleaned_data["status"]
        ),
    )
    if is_htmx(request):
        # htmx swaps just this row: refused, it shows why; resolved, it leaves the worklist.
        if outcome.ok and outcome.value is not None:
            alert = outcome.value
            if alert.status == "resolved":
                return HttpResponse("")
        return render(
            request,
            "nutrition/_partials/alert_row.html",
            {"a": alert, "row_form": None if outcome.ok else form},
            status=outcome.status,
        )
    if not outcome.ok:
        return _worklist_page(request, form=form, status=outcome.status)
    return redirect("nutrition:worklist")


def _qol_worklist_page(
    request: HttpRequest, *, form: DomainForm | None = None, status: int = 200
) -> HttpResponse:
    rows = list(selectors.qol_worklist())
    audit_record(
        action=AuditAction.READ,
        object_type="nutrition.qolalert",
        detail={"worklist": "qol", "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return render(
        request, "nutrition/qol_worklist.html", {"rows": rows, "form": form}, status=status
    )


@permission_required("qol.alerts")
def qol_worklist(request: HttpRequest) -> HttpResponse:
    return _qol_worklist_page(request)


@require_POST
@permission_required("qol.alerts")
def qol_alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(QoLAlert, pk=pk)
    form = AlertHandleForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.qol_alert_handle(
            by=_user(request), alert=alert, status=form.cleaned_data["status"]
        ),
    )
    if not outcome.ok:
        return _qol_worklist_page(request, form=form, status=outcome.status)
    return redirect("nutrition:qol-worklist")


@require_http_methods(["GET", "POST"])
@permission_required("nutrition.settings")
def settings_view(request: HttpRequest) -> HttpResponse:
    current = services.settings_get()
    form = SettingsForm(
        request.POST or None, initial={f: getattr(current, f) for f in services.SETTINGS_FIELDS}
    )
    if request.method != "POST":
        return render(request, "nutrition/settings.html", {"form": form})
    outcome = run_service(
        request,
        form,
        lambda: services.alert_settings_update(by=_user(request), **form.cleaned_data),
        success=_("Alert thresholds saved."),
    )
    if outcome.ok:
        return redirect("nutrition:settings")
    return render(request, "nutrition/settings.html", {"form": form}, status=outcome.status)
