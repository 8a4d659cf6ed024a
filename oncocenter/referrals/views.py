"""Referral pages: per-department worklist with the status flow, turnaround, new referral."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oncocenter.accounts.selectors import current_user
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import run_service
from oncocenter.core.permissions import active_role, has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.selectors import patient_get
from oncocenter.referrals import selectors, services
from oncocenter.referrals.forms import ReferralAdvanceForm, ReferralForm
from oncocenter.referrals.models import Department, Referral

# Django's own input ids: the create page shows one form, and the browser walk addresses them.
IDS = "id_%s"


@require_http_methods(["GET", "POST"])
@permission_required("referral.view")
def worklist(request: HttpRequest) -> HttpResponse:
    default = selectors.DEFAULT_DEPARTMENT.get(active_role(request), Department.RADIATION_ONCOLOGY)
    department = request.GET.get("department") or default
    if department not in Department.values:
        department = default
    errors: dict[int, ReferralAdvanceForm] = {}
    status = 200
    if request.method == "POST":
        require(request.user, "referral.respond")
        referral = (
            Referral.objects.select_related("patient")
            .filter(pk=request.POST.get("referral") or 0)
            .first()
        )
        if referral is None:
            raise NotFound(_("No such referral."))
        form = ReferralAdvanceForm(request.POST, auto_id=IDS)
        outcome = run_service(
            request,
            form,
            lambda: services.referral_advance(
                referral=referral, by=current_user(request), **form.cleaned_data
            ),
            success=_("Referral updated."),
        )
        if outcome.ok:
            return redirect(f"{request.path}?department={department}")
        errors[referral.pk] = form
        status = outcome.status
    include_closed = request.GET.get("closed") == "1"
    rows = [
        (r, errors.get(r.pk) or ReferralAdvanceForm(auto_id=IDS))
        for r in selectors.worklist(department=department, include_closed=include_closed)
    ]
    turnaround = [(Department(d).label, t) for d, t in selectors.turnaround_by_department().items()]
    return render(
        request,
        "referrals/worklist.html",
        {
            "department": department,
            "departments": Department.choices,
            "rows": rows,
            "turnaround": turnaround,
            "can_respond": has_perm(request.user, "referral.respond"),
            "include_closed": include_closed,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@permission_required("referral.create")
def create(request: HttpRequest, mrn: str) -> HttpResponse:
    # A GET shows the patient (the form's heading): audited as a read; a POST's service audits.
    patient = patient_get(mrn=mrn, audit=request.method == "GET")
    initial = {"from_department": selectors.DEFAULT_DEPARTMENT.get(active_role(request), "")}
    form = ReferralForm(request.POST or None, initial=initial, auto_id=IDS)
    status = 200
    if request.method == "POST":
        # The consult is about the patient's main cancer: the primary, most recent diagnosis.
        diagnosis = (
            Diagnosis.objects.filter(patient=patient)
            .order_by("-is_primary", "-diagnosed_on")
            .first()
        )
        outcome = run_service(
            request,
            form,
            lambda: services.referral_create(
                patient=patient, by=current_user(request), diagnosis=diagnosis, **form.cleaned_data
            ),
            success=_("Referral sent."),
        )
        if outcome.ok:
            return redirect("oncology:record", mrn=patient.mrn)
        status = outcome.status
    return render(
        request, "referrals/create.html", {"patient": patient, "form": form}, status=status
    )
