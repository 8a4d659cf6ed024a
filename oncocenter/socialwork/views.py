"""Pages of social work. Each POST parses one form, calls one service through ``run_service``
and redirects; a refusal re-renders the page with the message beside the field (status 422,
nothing saved)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import run_service, today
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.pediatrics.forms import patient_from_mrn
from oncocenter.pediatrics.labels import label
from oncocenter.pediatrics.lookups import row
from oncocenter.socialwork import forms, selectors, services, vocab
from oncocenter.socialwork.models import SocialCase, SocialIntervention


def _social_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    mine = list(
        SocialCase.objects.filter(
            social_worker_id=request.user.pk, closed_on__isnull=True
        ).select_related("patient")
    )
    audit_record(
        action="read",
        object_type="support.social",
        detail={"count": len(mine), "mrns": [c.patient.mrn for c in mine]},
    )
    return render(
        request,
        "socialwork/social.html",
        {
            "caseload": selectors.caseload(),
            "mine": mine,
            "can_edit": has_perm(request.user, "socialwork.edit"),
            "open_form": bound.get("open_form")
            or forms.CaseOpenForm(initial={"opened_on": today()}),
        },
        status=status,
    )


@require_GET
@permission_required("socialwork.view")
def social(request: HttpRequest) -> HttpResponse:
    return _social_page(request)


@require_POST
@permission_required("socialwork.edit")
def social_case_open(request: HttpRequest) -> HttpResponse:
    form = forms.CaseOpenForm(request.POST)
    user = current_user(request)
    outcome = run_service(
        request,
        form,
        lambda: services.social_case_open(
            patient=patient_from_mrn(form.cleaned_data["mrn"]),
            by=user,
            social_worker=user,
            opened_on=form.cleaned_data["opened_on"],
        ),
        success=_("Case opened."),
    )
    if outcome.ok and outcome.value is not None:
        return redirect("socialwork:case", pk=outcome.value.pk)
    return _social_page(request, outcome.status, open_form=form)


def _case_page(
    request: HttpRequest, case: SocialCase, status: int = 200, **bound: Any
) -> HttpResponse:
    domains = {d["code"]: label(d) for d in vocab.social_work_domains()}
    levels = {lv["code"]: label(lv) for lv in vocab.need_levels()}
    return render(
        request,
        "socialwork/social_case.html",
        {
            "case": case,
            "patient": case.patient,
            "assessments": [
                {
                    "a": a,
                    "levels": [(domains.get(k, k), levels.get(v, v)) for k, v in a.levels.items()],
                }
                for a in case.assessments.all()
            ],
            "interventions": case.interventions.all(),
            "can_edit": has_perm(request.user, "socialwork.edit"),
            "assessment_form": bound.get("assessment_form")
            or forms.AssessmentForm(initial={"assessed_on": today()}),
            "intervention_form": bound.get("intervention_form")
            or forms.InterventionForm(initial={"started_on": today()}),
            "outcome_form": bound.get("outcome_form") or forms.OutcomeForm(),
            "close_form": bound.get("close_form") or forms.CaseCloseForm(),
        },
        status=status,
    )


@require_GET
@permission_required("socialwork.view")
def social_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = row(SocialCase, pk)
    audit_record(action="read", obj=case, patient=case.patient)
    return _case_page(request, case)


@require_POST
@permission_required("socialwork.edit")
def social_case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = row(SocialCase, pk)
    form = forms.CaseCloseForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.social_case_close(
            case=case, by=current_user(request), closed_on=form.cleaned_data["check_out"]
        ),
        success=_("Case closed."),
    )
    if outcome.ok:
        return redirect("socialwork:index")
    return _case_page(request, case, outcome.status, close_form=form)


@require_POST
@permission_required("socialwork.edit")
def social_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = row(SocialCase, pk)
    form = forms.AssessmentForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.needs_assessment_record(
            case=case, by=current_user(request), **form.data_for_service()
        ),
        success=_("Assessment saved."),
    )
    if outcome.ok:
        return redirect("socialwork:case", pk=pk)
    return _case_page(request, case, outcome.status, assessment_form=form)


@require_POST
@permission_required("socialwork.edit")
def social_intervention(request: HttpRequest, pk: int) -> HttpResponse:
    case = row(SocialCase, pk)
    form = forms.InterventionForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.intervention_add(case=case, by=current_user(request), **form.cleaned_data),
        success=_("Intervention added."),
    )
    if outcome.ok:
        return redirect("socialwork:case", pk=pk)
    return _case_page(request, case, outcome.status, intervention_form=form)


@require_POST
@permission_required("socialwork.edit")
def social_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    i = row(SocialIntervention, pk)
    form = forms.OutcomeForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.intervention_record_outcome(
            intervention=i, by=current_user(request), **form.cleaned_data
        ),
        success=_("Outcome recorded."),
    )
    if outcome.ok:
        return redirect("socialwork:case", pk=i.case_id)
    return _case_page(request, i.case, outcome.status, outcome_form=form)
