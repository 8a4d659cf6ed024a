"""Navigation, the patient-page section (operations and the response timeline) and the chart
timeline sources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oncocenter.core.permissions import has_perm
from oncocenter.core.registry import ChartEvent, ChartSource, NavItem, PatientSection, registry
from oncocenter.patients.models import Patient
from oncocenter.surgery import selectors
from oncocenter.surgery.models import Complication, Operation, ResponseAssessment


def _section(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    ops = selectors.patient_operations(patient)
    assessments = selectors.patient_assessments(patient)
    return {
        "patient": patient,
        "ops": ops,
        "timeline": selectors.response_timeline_svg(patient, assessments)
        if ops or assessments
        else "",
        "can_record": has_perm(request.user, "surgery.record"),
    }


def _events(patient: Patient) -> Iterable[ChartEvent]:
    for op in Operation.objects.filter(patient=patient):
        yield ChartEvent(op.operated_on, "operation", op.get_procedure_display(), op.residual_tumor)
    for c in Complication.objects.filter(operation__patient=patient):
        yield ChartEvent(
            c.occurred_on, "complication", c.get_kind_display(), f"Clavien-Dindo {c.clavien_dindo}"
        )
    for a in ResponseAssessment.objects.filter(patient=patient):
        yield ChartEvent(
            a.assessed_on,
            "response",
            a.get_criteria_display(),
            a.overall_response or str(_("baseline")),
        )


def register() -> None:
    registry.add_nav(
        NavItem(
            "surgery", _("Surgery"), "surgery:index", "surgery.view", section="esophageal", order=30
        )
    )
    registry.add_nav(
        NavItem(
            "surgery-quality",
            _("Surgical quality"),
            "surgery:quality",
            "surgery.quality",
            section="esophageal",
            order=31,
        )
    )
    registry.add_patient_section(
        PatientSection(
            key="surgery",
            title=_("Surgery and tumor response"),
            template="surgery/_partials/patient_section.html",
            permission="surgery.view",
            context=_section,
            order=35,
        )
    )
    registry.add_chart_source(
        ChartSource(
            "surgery",
            {
                "operation": _("Operation"),
                "complication": _("Surgical complication"),
                "response": _("Tumor response"),
            },
            _events,
            order=45,
        )
    )
