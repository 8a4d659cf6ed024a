"""Oncology's home-page worklists (open diagnostic orders, co-payment expiries), its navigation
and its section on the patient page. Referrals, tumor boards and trials register their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.permissions import active_role, has_perm
from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
from oncocenter.core.roles import Role
from oncocenter.oncology.models import (
    COPAY_REMINDER_DAYS,
    CopayRegistration,
    Diagnosis,
    WorkupDepartment,
    WorkupOrder,
    WorkupStatus,
)
from oncocenter.patients.models import Patient

WORKUP_BY_ROLE: dict[str, str] = {
    Role.PATHOLOGIST: "pathology",
    Role.RADIOLOGIST: "radiology",
    Role.NUCLEAR_MEDICINE: "nuclear_medicine",
}


def workup_panel(request: HttpRequest) -> dict[str, Any] | None:
    department = WORKUP_BY_ROLE.get(active_role(request))
    if department is None:
        return None
    qs = WorkupOrder.objects.filter(
        department=department, status__in=[WorkupStatus.ORDERED, WorkupStatus.IN_PROGRESS]
    )
    return {
        "department": department,
        "label": WorkupDepartment(department).label,
        "count": qs.count(),
        "rows": list(qs.select_related("patient").order_by("ordered_at")[:8]),
    }


def copay_panel(request: HttpRequest) -> dict[str, Any] | None:
    today = timezone.localdate()
    count = CopayRegistration.objects.filter(
        expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=COPAY_REMINDER_DAYS)
    ).count()
    return {"count": count}


def patient_section(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    return {"patient": patient, "diagnoses": list(Diagnosis.objects.filter(patient=patient)[:5])}


def diagnosis_summary_section(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """The diagnosis summary for those who may not read the cancer record (social work): cancer
    type and date only, no staging, disease status or treatment. Those who hold
    ``oncology.view`` see the full "Cancer record" section instead."""
    if has_perm(request.user, "oncology.view"):
        return None
    rows = Diagnosis.objects.filter(patient=patient).only(
        "icd10_code", "histology_text", "diagnosed_on", "is_primary"
    )
    return {"diagnoses": list(rows.order_by("-is_primary", "diagnosed_on")[:5])}


def register() -> None:
    registry.add_nav(
        NavItem("workup", _("Diagnostic workup"), "oncology:workup", "workup.view", order=55)
    )
    registry.add_nav(
        NavItem(
            "copay",
            _("Co-payment expiries"),
            "oncology:copay",
            "copay.manage",
            section="admin",
            order=80,
        )
    )
    registry.add_panel(
        HomePanel(
            "workup",
            _("Open diagnostic orders"),
            "oncology/_partials/panel_workup.html",
            frozenset(WORKUP_BY_ROLE),
            workup_panel,
            order=25,
            permission="workup.view",
        )
    )
    registry.add_panel(
        HomePanel(
            "copay",
            _("Co-payment registrations expiring (60 days)"),
            "oncology/_partials/panel_copay.html",
            frozenset({Role.SCHEDULER, Role.ADMINISTRATOR, Role.SOCIAL_WORKER}),
            copay_panel,
            order=40,
            permission="copay.manage",
        )
    )
    registry.add_patient_section(
        PatientSection(
            "cancer",
            _("Cancer record"),
            "oncology/_partials/patient_section.html",
            "oncology.view",
            patient_section,
            order=10,
        )
    )
    registry.add_patient_section(
        PatientSection(
            "diagnosis_summary",
            _("Diagnosis summary"),
            "oncology/_partials/diagnosis_summary.html",
            "diagnosis.summary",
            diagnosis_summary_section,
            order=11,
        )
    )
