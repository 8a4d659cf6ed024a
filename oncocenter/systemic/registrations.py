"""Navigation, role home panels, the patient-page block, the chart timeline, and the answers to
lower apps' hooks (treatment days on lab trends; chemotherapy on the RT course page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.permissions import has_perm
from oncocenter.core.registry import (
    ChartEvent,
    ChartSource,
    HomePanel,
    NavItem,
    PatientSection,
    registry,
)
from oncocenter.core.roles import Role


def _queue_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.systemic import selectors

    rows = list(selectors.verification_queue()[:30])
    return {"rows": rows} if rows else None


def _today_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.systemic import selectors

    rows = selectors.today_list(timezone.localdate())
    return {"rows": rows} if rows else None


def _held_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.systemic import selectors

    rows = selectors.held_days(timezone.localdate() - dt.timedelta(days=14))[:30]
    return {"rows": rows} if rows else None


def _patient_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    from oncocenter.systemic import selectors

    orders = list(selectors.orders_of(patient)[:10])
    if not orders:
        return None
    return {"orders": orders, "cumulative": selectors.cumulative(patient), "patient": patient}


def _chart_events(patient: Any) -> list[ChartEvent]:
    from oncocenter.systemic.models import TherapyOrder

    return [
        ChartEvent(
            on=o.start_date,
            kind="chemo-order",
            title=f"{o.regimen.name} C{o.cycle}",
            status=o.status,
            status_label=str(o.get_status_display()),
        )
        for o in TherapyOrder.objects.filter(patient=patient).select_related("regimen")
    ]


def _treatment_days(patient: Any, since: dt.date, until: dt.date) -> list[tuple[dt.date, str]]:
    from oncocenter.systemic import selectors

    return selectors.treatment_days(patient, since, until)


def _course_section(request: HttpRequest, course: Any) -> dict[str, Any] | None:
    from oncocenter.systemic import selectors

    if not has_perm(request.user, "systemic.view"):
        return None
    rows = selectors.concurrent_for_course(course.pk)
    if not rows:
        return None
    return {
        "title": _("Concurrent chemotherapy"),
        "template": "systemic/_partials/course_section.html",
        "context": {"rows": rows},
    }


def register() -> None:
    from oncocenter.labs.hooks import TREATMENT_DAYS
    from oncocenter.radiotherapy.hooks import COURSE_SECTIONS

    registry.add_nav(
        NavItem(
            "systemic-worklist", _("Chemotherapy"), "systemic:worklist", "systemic.view", order=46
        )
    )
    registry.add_nav(
        NavItem(
            "systemic-regimens",
            _("Regimen library"),
            "systemic:regimens",
            "systemic.view",
            order=47,
        )
    )
    registry.add_panel(
        HomePanel(
            "systemic-verify",
            _("Chemotherapy orders to verify"),
            "systemic/_partials/panel_queue.html",
            frozenset({Role.PHARMACIST}),
            _queue_panel,
            order=2,
            permission="systemic.verify",
        )
    )
    registry.add_panel(
        HomePanel(
            "systemic-today",
            _("Chemotherapy today"),
            "systemic/_partials/panel_today.html",
            frozenset(
                {Role.NURSE, Role.MEDICAL_ONCOLOGIST, Role.PEDIATRIC_ONCOLOGIST, Role.PHARMACIST}
            ),
            _today_panel,
            order=4,
            permission="systemic.view",
        )
    )
    registry.add_panel(
        HomePanel(
            "systemic-held",
            _("Chemotherapy days held"),
            "systemic/_partials/panel_held.html",
            frozenset(
                {Role.MEDICAL_ONCOLOGIST, Role.PEDIATRIC_ONCOLOGIST, Role.RADIATION_ONCOLOGIST}
            ),
            _held_panel,
            order=6,
            permission="systemic.view",
        )
    )
    registry.add_patient_section(
        PatientSection(
            "systemic",
            _("Systemic therapy"),
            "systemic/_partials/patient_section.html",
            "systemic.view",
            _patient_section,
            order=56,
        )
    )
    registry.add_chart_source(
        ChartSource("systemic", {"chemo-order": _("Chemotherapy order")}, _chart_events, order=61)
    )
    TREATMENT_DAYS.register(_treatment_days)
    COURSE_SECTIONS.register(_course_section)
