"""Pages of laboratory medicine. Each POST parses one form, calls one service through
``run_service`` and redirects; a refusal re-renders the page with the message beside the field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import run_service
from oncocenter.core.formviews import FormPage, Posted
from oncocenter.core.permissions import active_role, has_perm
from oncocenter.core.views import permission_required
from oncocenter.labs import forms, selectors, services
from oncocenter.labs.models import Transfusion
from oncocenter.labs.witness import second_person
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get


def _page(request: HttpRequest, patient: Patient, status: int = 200, **bound: Any) -> HttpResponse:
    results = list(selectors.live_results(patient)[:300])
    audit_record(
        action="read",
        patient=patient,
        object_type="labs.results",
        object_id=patient.mrn,
        detail={"count": len(results)},
    )
    user = request.user
    return render(
        request,
        "labs/patient.html",
        {
            "patient": patient,
            "results": results,
            "charts": selectors.trend_charts(patient),
            "transfusions": list(selectors.transfusions_of(patient)[:50]),
            "can_result": has_perm(user, "lab.result"),
            "can_order": has_perm(user, "lab.order"),
            "can_ack": has_perm(user, "lab.critical.ack"),
            "can_tx": has_perm(user, "transfusion.order"),
            "can_give": has_perm(user, "transfusion.give"),
            "result_form": bound.get("result_form") or forms.ResultForm(),
            "order_form": bound.get("order_form") or forms.OrderForm(),
            "tx_form": bound.get("tx_form") or forms.TransfusionForm(),
            "ack_form": forms.AcknowledgeForm(),
            "given_form": bound.get("given_form") or forms.TransfusionGivenForm(),
            "given_pk": bound.get("given_pk"),
        },
        status=status,
    )


@require_GET
@permission_required("lab.view")
def patient_labs(request: HttpRequest, mrn: str) -> HttpResponse:
    return _page(request, patient_get(mrn=mrn, audit=False))


# The POSTs of the patient's lab page.
_patient_page = FormPage(
    render=_page, load=lambda mrn: patient_get(mrn=mrn, audit=False), done="labs:patient"
)


@_patient_page.post("lab.result", forms.ResultForm, "result_form", gettext_lazy("Result recorded."))
def result_create(p: Posted[forms.ResultForm]) -> Any:
    return services.lab_result_record(patient=p.obj, by=p.by, **p.data)


@_patient_page.post("lab.order", forms.OrderForm, "order_form", gettext_lazy("Tests ordered."))
def order_create(p: Posted[forms.OrderForm]) -> Any:
    return services.lab_order_create(patient=p.obj, by=p.by, **p.data)


@require_POST
@permission_required("lab.critical.ack")
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    result = selectors.result_get(pk)
    form = forms.AcknowledgeForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.lab_critical_acknowledge(
            result=result, by=current_user(request), **form.cleaned_data
        ),
        success=_("Critical value acknowledged."),
    )
    if outcome.ok:
        if request.POST.get("next") == "worklist":
            return redirect("labs:critical")
        return redirect("labs:patient", mrn=result.patient.mrn)
    return _critical_page(request, outcome.status, ack_form=form, ack_pk=pk)


def _critical_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    center = request.GET.get("center", "")
    mine = request.GET.get("mine") == "1"
    rows = list(
        selectors.critical_unacknowledged(
            user=current_user(request) if mine else None, center_code=center
        )[:200]
    )
    audit_record(
        action="search",
        object_type="labs.critical",
        detail={"mrns": sorted({r.patient.mrn for r in rows}), "center": center},
    )
    return render(
        request,
        "labs/critical.html",
        {
            "rows": rows,
            "center": center,
            "mine": mine,
            "can_ack": has_perm(request.user, "lab.critical.ack"),
            "ack_form": bound.get("ack_form") or forms.AcknowledgeForm(),
            "ack_pk": bound.get("ack_pk"),
        },
        status=status,
    )


@require_GET
@permission_required("lab.view")
def critical_worklist(request: HttpRequest) -> HttpResponse:
    return _critical_page(request)


@require_http_methods(["GET", "POST"])
@permission_required("lab.import")
def import_csv(request: HttpRequest) -> HttpResponse:
    """The upload form; a valid upload becomes a job and the browser goes to its page."""
    from oncocenter.jobs.models import Job
    from oncocenter.labs.jobs import lab_import_submit

    posted = request.method == "POST"
    form = forms.ImportForm(request.POST, request.FILES) if posted else forms.ImportForm()
    status = 200
    if posted:

        def submit() -> Job:
            upload = form.cleaned_data["upload"]
            return lab_import_submit(
                by=current_user(request),
                role=active_role(request),
                name=upload.name or "",
                data=upload.read(),
            )

        outcome = run_service(request, form, submit)
        if outcome.ok and outcome.value is not None:
            return redirect("jobs:detail", pk=outcome.value.pk)
        status = outcome.status
    return render(
        request,
        "labs/import.html",
        {"form": form, "columns": ",".join(services.CSV_COLUMNS)},
        status=status,
    )


@_patient_page.post(
    "transfusion.order", forms.TransfusionForm, "tx_form", gettext_lazy("Transfusion ordered.")
)
def transfusion_create(p: Posted[forms.TransfusionForm]) -> Any:
    return services.transfusion_order(patient=p.obj, by=p.by, **p.data)


@require_POST
@permission_required("transfusion.give")
def transfusion_given(request: HttpRequest, pk: int) -> HttpResponse:
    tx = Transfusion.objects.select_related("patient").filter(pk=pk).first()
    if tx is None:
        from django.http import Http404

        raise Http404
    form = forms.TransfusionGivenForm(request.POST)
    me = current_user(request)

    def call() -> Transfusion:
        data = form.cleaned_data
        witness = second_person(
            username=data["witness_username"],
            password=data["witness_password"],
            permission="transfusion.give",
            first=me,
        )
        return services.transfusion_record_given(
            transfusion=tx,
            by=me,
            checked_by=witness,
            reaction=data["reaction"],
            reaction_grade=data["reaction_grade"],
        )

    outcome = run_service(request, form, call, success=_("Transfusion recorded as given."))
    if outcome.ok:
        return redirect("labs:patient", mrn=tx.patient.mrn)
    return _page(request, tx.patient, outcome.status, given_form=form, given_pk=tx.pk)
