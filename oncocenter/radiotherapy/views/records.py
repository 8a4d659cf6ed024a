"""Upload a DICOM RT Beams Treatment Record exported by the console (records the delivery)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from oncocenter.core.errors import ValidationFailed
from oncocenter.core.forms import DomainForm, run_service
from oncocenter.core.views import permission_required
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import Delivery
from oncocenter.radiotherapy.views._common import _me

MAX_BYTES = 20 * 1024 * 1024


class TreatmentRecordForm(DomainForm):
    file = forms.FileField(
        label=gettext_lazy("Treatment record file (DICOM RT Beams Treatment Record)")
    )
    late_entry_reason = forms.CharField(
        label=gettext_lazy("Late entry reason"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Needed when the treatment was more than an hour ago."),
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Off-schedule override reason"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Needed when the treatment was off its booked day or machine."),
    )


def _import(request: HttpRequest, form: TreatmentRecordForm) -> Delivery:
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BYTES:
        raise ValidationFailed.single("file", _("is larger than 20 MB"), upload.size)
    return s.treatment_record_import(
        content=upload.read(),
        by=_me(request),
        source="upload",
        late_entry_reason=form.cleaned_data["late_entry_reason"],
        override_reason=form.cleaned_data["override_reason"],
    )


@require_http_methods(["GET", "POST"])
@permission_required("rt.delivery.record")
def treatment_record_upload(request: HttpRequest) -> HttpResponse:
    form = TreatmentRecordForm()
    status = 200
    if request.method == "POST":
        form = TreatmentRecordForm(request.POST, request.FILES)
        outcome = run_service(
            request,
            form,
            lambda: _import(request, form),
            success=lambda d: (
                _("Fraction %(n)s recorded from the treatment record.")
                % {"n": d.fraction.delivered_number}
            ),
        )
        if outcome.ok and outcome.value is not None:
            return redirect("radiotherapy:course", pk=outcome.value.fraction.prescription.course_id)
        status = outcome.status
    return render(request, "radiotherapy/treatment_record.html", {"form": form}, status=status)
