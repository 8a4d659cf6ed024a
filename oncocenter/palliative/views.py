"""Pages of pediatric palliative care. Each POST parses one form, calls one service through
``run_service`` and redirects; a refusal re-renders the page with the message beside the field
(status 422 for bad input, 409 for a state that forbids it; nothing saved)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import run_service, today
from oncocenter.core.formviews import FormPage, Posted
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.palliative import forms, services
from oncocenter.palliative.models import PalliativeReferral, PalliativeStatus
from oncocenter.pediatrics.forms import patient_from_mrn
from oncocenter.pediatrics.lookups import row


@require_GET
@permission_required("palliative.view")
def palliative(request: HttpRequest) -> HttpResponse:
    rows = list(
        PalliativeReferral.objects.select_related("patient").order_by("status", "-referred_on")
    )
    audit_record(
        action="read",
        object_type="support.palliative",
        detail={"count": len(rows), "mrns": [r.patient.mrn for r in rows]},
    )
    return render(
        request,
        "palliative/palliative.html",
        {"rows": rows, "can_refer": has_perm(request.user, "palliative.refer")},
    )


def _refer_page(request: HttpRequest, form: forms.ReferForm, status: int = 200) -> HttpResponse:
    return render(request, "palliative/palliative_refer.html", {"form": form}, status=status)


@permission_required("palliative.refer")
def palliative_refer(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"referred_on": today(), "mrn": request.GET.get("mrn", "")}
        return _refer_page(request, forms.ReferForm(initial=initial))
    form = forms.ReferForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.palliative_refer(
            patient=patient_from_mrn(form.cleaned_data["mrn"]),
            by=current_user(request),
            **form.data_without_mrn(),
        ),
        success=_("Referral sent to the palliative care team."),
    )
    if outcome.ok:
        return redirect("pediatrics:hub")
    return _refer_page(request, form, outcome.status)


def _palliative_page(
    request: HttpRequest, r: PalliativeReferral, status: int = 200, **bound: Any
) -> HttpResponse:
    return render(
        request,
        "palliative/palliative_detail.html",
        {
            "r": r,
            "patient": r.patient,
            "bereavement": r.bereavement.all(),
            "can_edit": has_perm(request.user, "palliative.edit"),
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
@permission_required("palliative.view")
def palliative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = row(PalliativeReferral, pk)
    audit_record(action="read", obj=r, patient=r.patient)
    return _palliative_page(request, r)


_detail = FormPage(
    render=_palliative_page,
    load=lambda pk: row(PalliativeReferral, pk),
    done="palliative:detail",
)


@_detail.post("palliative.edit", forms.PalliativeUpdateForm, "form", gettext_lazy("Saved."))
def palliative_update(p: Posted[forms.PalliativeUpdateForm]) -> Any:
    return services.palliative_update(referral=p.obj, by=p.by, **p.data)


@_detail.post(
    "palliative.edit",
    forms.BereavementForm,
    "bereavement_form",
    gettext_lazy("Follow-up planned."),
)
def palliative_bereavement(p: Posted[forms.BereavementForm]) -> Any:
    return services.bereavement_plan(referral=p.obj, by=p.by, **p.data)
