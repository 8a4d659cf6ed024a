"""Staff pages for follow-up: plan generation on the patient page, due items, overdue worklist."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import Slot
from oncocenter.core.errors import DomainError, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.followup import selectors, services
from oncocenter.followup.forms import EventForm, LateEffectsForm, PlanForm
from oncocenter.followup.models import DueItem, ProtocolTemplate
from oncocenter.patients.selectors import patient_get


def _protocols():
    return ProtocolTemplate.objects.filter(active=True, kind="protocol")


def _errors(exc: DomainError) -> str:
    return (
        "; ".join(f"{p.field}: {p.message}" for p in exc.problems) if exc.problems else exc.message
    )


@permission_required("followup.view")
def overdue(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.overdue_items(limit=300))
    total = selectors.overdue_count()
    today = timezone.localdate()
    audit_record(
        action=AuditAction.READ,
        object_type="followup.dueitem",
        detail={"worklist": "overdue", "mrns": sorted({i.patient.mrn for i in rows})},
    )
    return render(
        request,
        "followup/overdue.html",
        {
            "rows": [(i, (today - i.window_end).days) for i in rows],
            "total": total,
            "soon": list(selectors.due_soon(days=14, limit=100)),
        },
    )


@permission_required("followup.view")
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        DueItem.objects.select_related("patient", "plan__template", "appointment"), pk=pk
    )
    audit_record(action=AuditAction.READ, obj=item, patient=item.patient)
    suggestions = selectors.slot_suggestions(item=item) if item.status == "due" else []
    return render(
        request,
        "followup/item.html",
        {
            "item": item,
            "suggestions": suggestions,
            "can_book": has_perm(request.user, "clinic.book"),
            "can_manage": has_perm(request.user, "followup.manage"),
        },
    )


@require_POST
@permission_required("clinic.book")
def item_book(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(DueItem.objects.select_related("patient"), pk=pk)
    slot = Slot.objects.filter(pk=request.POST.get("slot") or 0).first()
    try:
        if slot is None:
            raise ValidationFailed.single("slot", _("choose one of the suggested slots"))
        item = services.due_item_book(item=item, slot=slot, actor=request.user)
    except DomainError as exc:
        messages.error(request, _errors(exc))
        response = item_detail(request, pk)
        response.status_code = exc.status
        return response
    messages.success(
        request,
        _("Follow-up booked for %(when)s.")
        % {
            "when": timezone.localtime(item.appointment.starts_at).strftime("%Y-%m-%d %H:%M")
            if item.appointment
            else ""
        },
    )
    return redirect("patients:detail", mrn=item.patient.mrn)


@require_POST
@permission_required("followup.manage")
def item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(DueItem.objects.select_related("patient"), pk=pk)
    try:
        services.due_item_mark_done(item=item, done_on=timezone.localdate(), actor=request.user)
    except DomainError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Marked as done."))
    return redirect("followup:item", pk=pk)


def _patient_page_error(
    request: HttpRequest, mrn: str, exc: DomainError, form_key: str, form
) -> HttpResponse:
    """Re-render the patient page with the failed form and its field errors (nothing saved)."""
    from oncocenter.patients.views import detail

    request._followup_forms = {form_key: form}  # type: ignore[attr-defined]
    response = detail(request, mrn)
    response.status_code = exc.status if isinstance(exc, DomainError) else 400
    return response


@require_POST
@permission_required("followup.manage")
def plan_generate(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = PlanForm(request.POST, templates=_protocols())
    if not form.is_valid():
        return _patient_page_error(request, mrn, ValidationFailed([]), "plan_form", form)
    cd = form.cleaned_data
    try:
        if cd["template"]:
            plans = [
                services.followup_plan_generate(
                    patient=patient,
                    template=ProtocolTemplate.objects.get(code=cd["template"]),
                    treatment_end=cd["treatment_end"],
                    treated_field=cd["treated_field"],
                    actor=request.user,
                )
            ]
        else:
            if not cd["icd10_code"]:
                raise ValidationFailed.single(
                    "icd10_code", _("choose a protocol, or give the ICD-10 code")
                )
            plans = services.followup_plans_at_treatment_end(
                patient=patient,
                icd10_code=cd["icd10_code"],
                modalities=list(cd["modalities"]),
                treatment_end=cd["treatment_end"],
                treated_field=cd["treated_field"],
                actor=request.user,
            )
    except ValidationFailed as exc:
        form.add_domain_errors(exc)
        return _patient_page_error(request, mrn, exc, "plan_form", form)
    except DomainError as exc:
        form.add_error(None, _errors(exc))
        return _patient_page_error(request, mrn, exc, "plan_form", form)
    messages.success(
        request,
        _("Follow-up plan generated: %(names)s.")
        % {"names": ", ".join(p.template.name_en for p in plans)},
    )
    return redirect("patients:detail", mrn=mrn)


@require_POST
@permission_required("followup.manage")
def event_record(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = EventForm(request.POST)
    if not form.is_valid():
        return _patient_page_error(request, mrn, ValidationFailed([]), "event_form", form)
    cd = form.cleaned_data
    try:
        services.followup_event_record(
            patient=patient,
            event_type=cd["event_type"],
            occurred_on=cd["occurred_on"],
            grade=cd["grade"],
            description=cd["description"],
            actor=request.user,
        )
    except ValidationFailed as exc:
        form.add_domain_errors(exc)
        return _patient_page_error(request, mrn, exc, "event_form", form)
    messages.success(request, _("Event recorded."))
    return redirect("patients:detail", mrn=mrn)


@require_POST
@permission_required("followup.manage")
def late_effects_generate(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = LateEffectsForm(request.POST)
    if not form.is_valid():
        return _patient_page_error(request, mrn, ValidationFailed([]), "late_form", form)
    exposures = form.parsed_exposures()
    if form.errors:
        return _patient_page_error(request, mrn, ValidationFailed([]), "late_form", form)
    template = ProtocolTemplate.objects.filter(kind="late-effects", active=True).first()
    try:
        if template is None:
            raise ValidationFailed.single("exposures", _("no active late-effect rule set"))
        plan = services.followup_late_effects_generate(
            patient=patient,
            template=template,
            therapy_end=form.cleaned_data["therapy_end"],
            exposures=exposures,
            actor=request.user,
        )
    except ValidationFailed as exc:
        for p in exc.problems:
            form.add_error(
                "exposures"
                if p.field.startswith("exposures")
                else (p.field if p.field in form.fields else None),
                f"{p.field}: {p.message}",
            )
        return _patient_page_error(request, mrn, exc, "late_form", form)
    except DomainError as exc:
        form.add_error(None, _errors(exc))
        return _patient_page_error(request, mrn, exc, "late_form", form)
    messages.success(
        request,
        _("Survivorship screening plan generated with %(n)s items.") % {"n": plan.items.count()},
    )
    return redirect("patients:detail", mrn=mrn)
