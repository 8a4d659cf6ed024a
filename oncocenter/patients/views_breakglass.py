"""Break the glass (issue 17): the form that opens a grant and the privacy officer's report."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import DomainForm, run_service
from oncocenter.core.views import permission_required
from oncocenter.patients.models_breakglass import BREAK_GLASS_REASON_MAX, BREAK_GLASS_REASON_MIN
from oncocenter.patients.selectors import patient_get
from oncocenter.patients.services_breakglass import (
    break_glass_minutes,
    break_glass_open,
    break_glass_report,
)


class BreakGlassForm(DomainForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        min_length=BREAK_GLASS_REASON_MIN,
        max_length=BREAK_GLASS_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why you must read this record now (kept in the audit trail)."),
    )


@require_http_methods(["GET", "POST"])
@permission_required("breakglass.use")
def open_grant(request: HttpRequest, mrn: str) -> HttpResponse:
    # A GET shows the patient (the form's heading): audited as a read; a POST's service audits.
    patient = patient_get(mrn=mrn, audit=request.method == "GET")
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST":
        outcome = run_service(
            request,
            form,
            lambda: break_glass_open(
                patient=patient, by=current_user(request), reason=form.cleaned_data["reason"]
            ),
            success=_("Access opened for %(minutes)d minutes; every page you read is audited.")
            % {"minutes": break_glass_minutes()},
        )
        if outcome.ok:
            return redirect(target) if target else redirect("patients:detail", mrn=mrn)
        status = outcome.status
    return render(
        request,
        "patients/break_glass.html",
        {"form": form, "mrn": patient.mrn, "next": target, "minutes": break_glass_minutes()},
        status=status,
    )


@require_GET
@permission_required("breakglass.report")
def report(request: HttpRequest) -> HttpResponse:
    grants = list(break_glass_report())
    audit_record(
        action=AuditAction.READ,
        object_type="patients.breakglassaccess",
        detail={"view": "break-glass report", "mrns": sorted({g.patient.mrn for g in grants})},
    )
    return render(request, "patients/break_glass_report.html", {"grants": grants})
