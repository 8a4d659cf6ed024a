from __future__ import annotations

from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.core.errors import DomainError
from oncocenter.core.forms import run_service
from oncocenter.core.permissions import has_perm
from oncocenter.core.registry import registry
from oncocenter.core.views import permission_required
from oncocenter.patients.forms import PatientForm
from oncocenter.patients.models import Center, CenterCode
from oncocenter.patients.selectors import patient_get, patient_search
from oncocenter.patients.services import patient_create, patient_update, patient_verify_rrn


def _render_search(request: HttpRequest, *, center: Center | None) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = None
    if query or center is not None:
        results = patient_search(
            query=query, center_code=center.code if center else None, limit=500
        )
    page = Paginator(results or [], 25).get_page(request.GET.get("page"))
    context = {"query": query, "page": page, "results": results, "center": center}
    template = (
        "patients/_partials/results.html"
        if request.headers.get("HX-Request")
        else "patients/search.html"
    )
    return render(request, template, context)


@permission_required("patient.search")
def search(request: HttpRequest) -> HttpResponse:
    return _render_search(request, center=None)


def center_view(code: str):
    @permission_required("patient.search")
    def view(request: HttpRequest) -> HttpResponse:
        center = Center.objects.get(code=code)
        return _render_search(request, center=center)

    view.__name__ = f"center_{code}"
    return view


@permission_required("patient.view")
def detail(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn)
    sections = []
    for section in sorted(registry.patient_sections, key=lambda s: s.order):
        if has_perm(request.user, section.permission):
            context = section.context(request, patient)
            if context is not None:
                sections.append({"section": section, "context": context})
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "age": patient.age_on(timezone.localdate()),
            "show_contacts": has_perm(request.user, "patient.view_contacts"),
            "can_edit": has_perm(request.user, "patient.edit"),
            "can_verify": has_perm(request.user, "patient.verify_rrn"),
            "sections": sections,
        },
    )


def detail_again(
    request: HttpRequest, mrn: str, key: str, form: Form, status: int, *, forms_attr: str
) -> HttpResponse:
    """The patient page again with a section's refused form (and its errors) in place of a new
    one (nothing was saved): the section finds it on the request, under `forms_attr` by `key`."""
    setattr(request, forms_attr, {key: form})
    response = detail(request, mrn)
    response.status_code = status
    return response


@require_http_methods(["GET", "POST"])
@permission_required("patient.create")
def create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    status = 200
    if request.method == "POST":
        outcome = run_service(
            request,
            form,
            lambda: patient_create(
                by=current_user(request),
                **form.demographics(),
                rrn=form.cleaned_data.get("rrn", ""),
            ),
            success=lambda p: _("Patient registered with MRN %(mrn)s.") % {"mrn": p.mrn},
        )
        if outcome.ok and outcome.value is not None:
            return redirect("patients:detail", mrn=outcome.value.mrn)
        status = outcome.status
    return render(request, "patients/form.html", {"form": form, "patient": None}, status=status)


@require_http_methods(["GET", "POST"])
@permission_required("patient.edit")
def edit(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn)
    initial = {f: getattr(patient, f) for f in PatientForm.base_fields if f != "rrn"}
    form = PatientForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        outcome = run_service(
            request,
            form,
            lambda: patient_update(
                patient=patient,
                by=current_user(request),
                **form.demographics(),
                rrn=form.cleaned_data.get("rrn") or None,
            ),
            success=_("Changes saved."),
        )
        if outcome.ok:
            return redirect("patients:detail", mrn=patient.mrn)
        status = outcome.status
    return render(request, "patients/form.html", {"form": form, "patient": patient}, status=status)


@require_POST
@permission_required("patient.verify_rrn")
def verify_rrn(request: HttpRequest, mrn: str) -> HttpResponse:
    try:
        patient = patient_get(mrn=mrn, audit=False)
        matches = patient_verify_rrn(patient=patient, rrn=request.POST.get("rrn", ""))
        context = {"matches": matches, "error": ""}
        status = 200
    except DomainError as exc:
        context = {"matches": None, "error": str(exc)}
        status = exc.status
    return render(request, "patients/_partials/verify_result.html", context, status=status)


CENTER_VIEWS = {code: center_view(code) for code in CenterCode.values}
