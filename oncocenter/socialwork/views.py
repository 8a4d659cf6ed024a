"""Pages of social work. Each POST parses one form, calls one service through ``run_service``
and redirects; a refusal re-renders the page with the message beside the field (status 422,
nothing saved)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from oncocenter.audit.services import audit_record
from oncocenter.core.forms import today
from oncocenter.core.formviews import FormPage, Posted, to, to_new
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


@FormPage(render=_social_page).post(
    "socialwork.edit",
    forms.CaseOpenForm,
    "open_form",
    gettext_lazy("Case opened."),
    done=to_new("socialwork:case"),
)
def social_case_open(p: Posted[forms.CaseOpenForm]) -> Any:
    return services.social_case_open(
        patient=patient_from_mrn(p.data["mrn"]),
        by=p.by,
        social_worker=p.by,
        opened_on=p.data["opened_on"],
    )


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


_case = FormPage(render=_case_page, load=lambda pk: row(SocialCase, pk), done="socialwork:case")


@_case.post(
    "socialwork.edit",
    forms.CaseCloseForm,
    "close_form",
    gettext_lazy("Case closed."),
    done=to("socialwork:index"),
)
def social_case_close(p: Posted[forms.CaseCloseForm]) -> Any:
    return services.social_case_close(case=p.obj, by=p.by, closed_on=p.data["check_out"])


@_case.post(
    "socialwork.edit",
    forms.AssessmentForm,
    "assessment_form",
    gettext_lazy("Assessment saved."),
)
def social_assessment(p: Posted[forms.AssessmentForm]) -> Any:
    return services.needs_assessment_record(case=p.obj, by=p.by, **p.form.data_for_service())


@_case.post(
    "socialwork.edit",
    forms.InterventionForm,
    "intervention_form",
    gettext_lazy("Intervention added."),
)
def social_intervention(p: Posted[forms.InterventionForm]) -> Any:
    return services.intervention_add(case=p.obj, by=p.by, **p.data)


# An outcome is a POST on the intervention; the page is its case's.
_intervention = FormPage(
    render=lambda request, i, status, **bound: _case_page(request, i.case, status, **bound),
    load=lambda pk: row(SocialIntervention, pk),
    done=lambda p, _: redirect("socialwork:case", pk=p.obj.case_id),
)


@_intervention.post(
    "socialwork.edit", forms.OutcomeForm, "outcome_form", gettext_lazy("Outcome recorded.")
)
def social_outcome(p: Posted[forms.OutcomeForm]) -> Any:
    return services.intervention_record_outcome(intervention=p.obj, by=p.by, **p.data)
