"""Navigation, home panel (critical values of my orders) and the patient-page block."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import (
    ChartEvent,
    ChartSource,
    HomePanel,
    NavItem,
    PatientSection,
    registry,
)
from oncocenter.core.roles import PHYSICIANS, Role


def _critical_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.audit.services import audit_record
    from oncocenter.labs import selectors

    rows = list(selectors.critical_unacknowledged(user=request.user)[:50])  # type: ignore[arg-type]
    if not rows:
        return None
    audit_record(
        action="search",
        object_type="labs.critical",
        detail={"mrns": sorted({r.patient.mrn for r in rows}), "panel": True},
    )
    return {"rows": rows}


def _patient_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    from oncocenter.labs import selectors

    latest = selectors.latest_by_code(patient, selectors.TREND_CODES)
    if not latest:
        return None
    return {"latest": [latest[c] for c in selectors.TREND_CODES if c in latest], "patient": patient}


def _chart_events(patient: Any) -> list[ChartEvent]:
    from django.utils import timezone

    from oncocenter.labs.models import LabResult

    rows = LabResult.objects.filter(patient=patient, critical=True).select_related("analyte")
    return [
        ChartEvent(
            on=timezone.localtime(r.collected_at).date(),
            kind="lab-critical",
            title=f"{r.analyte.name} {r.value.normalize() if r.value is not None else ''} {r.analyte.unit}",
            status=r.flag,
            status_label=str(r.get_flag_display()),
        )
        for r in rows
    ]


def register() -> None:
    registry.add_nav(
        NavItem("labs-critical", _("Critical lab values"), "labs:critical", "lab.view", order=45)
    )
    registry.add_panel(
        HomePanel(
            "labs-critical",
            _("Critical lab values to acknowledge"),
            "labs/_partials/panel_critical.html",
            frozenset(PHYSICIANS | {Role.NURSE}),
            _critical_panel,
            order=3,
            permission="lab.critical.ack",
        )
    )
    registry.add_patient_section(
        PatientSection(
            "labs",
            _("Laboratory results"),
            "labs/_partials/patient_section.html",
            "lab.view",
            _patient_section,
            order=55,
        )
    )
    registry.add_chart_source(
        ChartSource("labs", {"lab-critical": _("Critical lab value")}, _chart_events, order=60)
    )
