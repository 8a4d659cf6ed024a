"""Staff pages for follow-up: plan generation on the patient page, due items, overdue worklist.

Each write parses a form and calls one service through `run_service`; a refusal re-renders the
page it came from (the patient page or the item page) with the problems beside the fields.
"""

from __future__ import annotations

from functools import partial
from typing import cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import Slot
from oncocenter.core.errors import ValidationFailed
from oncocenter.core.forms import DomainForm, run_service
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.followup import selectors, services
from oncocenter.followup.forms import BookItemForm, EventForm, LateEffectsForm, PlanForm
from oncocenter.followup.models import DueItem, FollowUpPlan, ProtocolTemplate
from oncocenter.patients import views as patient_views
from oncocenter.patients.selectors import patient_get


def _user(request: HttpRequest) -> User:
    # `permission_required` lets only signed-in staff through.
    return cast(User, request.user)


def _template_name(template: ProtocolTemplate) -> str:
    return template.name_ko if (get_language() or "").startswith("ko") else template.name_en


def _protocols() -> QuerySet[ProtocolTemplate]:
    return ProtocolTemplate.objects.filter(active=True, kind="protocol")


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


def _item_page(
    request: HttpRequest, pk: int, *, form: DomainForm | None = None, status: int = 200
) -> HttpResponse:
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
            "form": form,
            "can_book": has_perm(request.user, "clinic.book"),
            "can_manage": has_perm(request.user, "followup.manage"),
        },
        status=status,
    )


@permission_required("followup.view")
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, pk)


@require_POST
@permission_required("clinic.book")
def item_book(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(DueItem.objects.select_related("patient"), pk=pk)
    form = BookItemForm(request.POST)

    def book() -> DueItem:
        slot = Slot.objects.filter(pk=form.cleaned_data["slot"] or 0).first()
        if slot is None:
            raise ValidationFailed.single("slot", _("choose one of the suggested slots"))
        return services.due_item_book(by=_user(request), item=item, slot=slot)

    def booked_for(booked: DueItem) -> str:
        when = booked.appointment.starts_at if booked.appointment else None
        return _("Follow-up booked for %(when)s.") % {
            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else ""
        }

    outcome = run_service(request, form, book, success=booked_for)
    if outcome.ok:
        return redirect("patients:detail", mrn=item.patient.mrn)
    return _item_page(request, pk, form=form, status=outcome.status)


@require_POST
@permission_required("followup.manage")
def item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(DueItem.objects.select_related("patient"), pk=pk)
    form = DomainForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.due_item_mark_done(
            by=_user(request), item=item, done_on=timezone.localdate()
        ),
        success=_("Marked as done."),
    )
    if outcome.ok:
        return redirect("followup:item", pk=pk)
    return _item_page(request, pk, form=form, status=outcome.status)


# The patient page again with the refused form of this app's section.
_patient_page = partial(patient_views.detail_again, forms_attr="_followup_forms")


@require_POST
@permission_required("followup.manage")
def plan_generate(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = PlanForm(request.POST, templates=_protocols())

    def generate() -> list[FollowUpPlan]:
        cd = form.cleaned_data
        if cd["template"]:
            return [
                services.followup_plan_generate(
                    by=_user(request),
                    patient=patient,
                    template=ProtocolTemplate.objects.get(code=cd["template"]),
                    treatment_end=cd["treatment_end"],
                    treated_field=cd["treated_field"],
                )
            ]
        if not cd["icd10_code"]:
            raise ValidationFailed.single(
                "icd10_code", _("choose a protocol, or give the ICD-10 code")
            )
        return services.followup_plans_at_treatment_end(
            by=_user(request),
            patient=patient,
            icd10_code=cd["icd10_code"],
            modalities=list(cd["modalities"]),
            treatment_end=cd["treatment_end"],
            treated_field=cd["treated_field"],
        )

    outcome = run_service(
        request,
        form,
        generate,
        success=lambda plans: (
            _("Follow-up plan generated: %(names)s.")
            % {"names": ", ".join(_template_name(p.template) for p in plans)}
        ),
    )
    if outcome.ok:
        return redirect("patients:detail", mrn=mrn)
    return _patient_page(request, mrn, "plan_form", form, outcome.status)


@require_POST
@permission_required("followup.manage")
def event_record(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = EventForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.followup_event_record(
            by=_user(request),
            patient=patient,
            event_type=form.cleaned_data["event_type"],
            occurred_on=form.cleaned_data["occurred_on"],
            grade=form.cleaned_data["grade"],
            description=form.cleaned_data["description"],
        ),
        success=_("Event recorded."),
    )
    if outcome.ok:
        return redirect("patients:detail", mrn=mrn)
    return _patient_page(request, mrn, "event_form", form, outcome.status)


@require_POST
@permission_required("followup.manage")
def late_effects_generate(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = LateEffectsForm(request.POST)

    def generate() -> FollowUpPlan:
        template = ProtocolTemplate.objects.filter(kind="late-effects", active=True).first()
        if template is None:
            raise ValidationFailed.single("exposures", _("no active late-effect rule set"))
        return services.followup_late_effects_generate(
            by=_user(request),
            patient=patient,
            template=template,
            therapy_end=form.cleaned_data["therapy_end"],
            exposures=form.cleaned_data["exposures"],
        )

    outcome = run_service(
        request,
        form,
        generate,
        success=lambda plan: (
            _("Survivorship screening plan generated with %(n)s items.") % {"n": plan.items.count()}
        ),
    )
    if outcome.ok:
        return redirect("patients:detail", mrn=mrn)
    return _patient_page(request, mrn, "late_form", form, outcome.status)
