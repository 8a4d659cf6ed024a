"""Referral pages: per-department worklist with the status flow, turnaround, new referral."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oncocenter.core.errors import DomainError, NotFound, ValidationFailed
from oncocenter.core.permissions import active_role, has_perm
from oncocenter.core.views import permission_required
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.selectors import patient_get
from oncocenter.referrals import selectors, services
from oncocenter.referrals.forms import ReferralAdvanceForm, ReferralForm
from oncocenter.referrals.models import Department, Referral


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
        if not has_perm(request.user, "referral.respond"):
            return render(
                request, "core/forbidden.html", {"permission": "referral.respond"}, status=403
            )
        referral = (
            Referral.objects.select_related("patient")
            .filter(pk=request.POST.get("referral") or 0)
            .first()
        )
        form = ReferralAdvanceForm(request.POST)
        if referral is not None and form.is_valid():
            try:
                services.referral_advance(referral=referral, by=request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Referral updated."))
                return redirect(f"{request.path}?department={department}")
        if referral is not None:
            errors[referral.pk] = form
        status = 400
    include_closed = request.GET.get("closed") == "1"
    rows = [
        (r, errors.get(r.pk) or ReferralAdvanceForm())
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
    try:
        patient = patient_get(mrn=mrn, audit=False)
    except NotFound as exc:
        return render(request, "patients/not_found.html", {"message": exc.message}, status=404)
    initial = {"from_department": selectors.DEFAULT_DEPARTMENT.get(active_role(request), "")}
    form = ReferralForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            diagnosis = (
                Diagnosis.objects.filter(patient=patient)
                .order_by("-is_primary", "-diagnosed_on")
                .first()
            )
            try:
                services.referral_create(
                    patient=patient,
                    diagnosis=diagnosis,
                    requested_by=request.user,
                    **form.cleaned_data,
                )
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, _("Referral sent."))
                return redirect("oncology:record", mrn=patient.mrn)
        status = 400
    return render(
        request, "referrals/create.html", {"patient": patient, "form": form}, status=status
    )
