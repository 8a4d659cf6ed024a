from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from oncocenter.core.permissions import has_perm
from oncocenter.followup import selectors
from oncocenter.followup.forms import EventForm, LateEffectsForm, PlanForm
from oncocenter.followup.models import ProtocolTemplate
from oncocenter.oncology.models import Diagnosis, TreatmentEpisode


def overdue_panel(request: HttpRequest) -> dict[str, Any] | None:
    rows = list(selectors.overdue_items(limit=8))
    return {"rows": rows, "count": selectors.overdue_count()}


def _treatment_defaults(patient: Any) -> dict[str, Any]:
    """Prefill the plan form from the clinical record: primary diagnosis, treatments, last end."""
    initial: dict[str, Any] = {"treatment_end": timezone.localdate()}
    dx = Diagnosis.objects.filter(patient=patient).order_by("-is_primary", "-diagnosed_on").first()
    if dx is not None:
        initial["icd10_code"] = dx.icd10_code
    episodes = list(
        TreatmentEpisode.objects.filter(patient=patient).values_list("modality", "ended_on")
    )
    if episodes:
        initial["modalities"] = sorted({m for m, _e in episodes})
        ends = [e for _m, e in episodes if e is not None]
        if ends:
            initial["treatment_end"] = max(ends)
    return initial


def patient_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    forms = getattr(request, "_followup_forms", {})
    templates = ProtocolTemplate.objects.filter(active=True, kind="protocol")
    return {
        "patient": patient,
        "plans": selectors.patient_plans(patient=patient),
        "events": selectors.patient_events(patient=patient),
        "today": timezone.localdate(),
        "can_manage": has_perm(request.user, "followup.manage"),
        "plan_form": forms.get("plan_form")
        or PlanForm(templates=templates, initial=_treatment_defaults(patient)),
        "late_form": forms.get("late_form")
        or LateEffectsForm(initial={"therapy_end": timezone.localdate()}),
        "event_form": forms.get("event_form")
        or EventForm(initial={"occurred_on": timezone.localdate()}),
    }
