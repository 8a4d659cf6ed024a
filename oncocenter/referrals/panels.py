"""Referrals in the shell: navigation, the home worklist "referrals to my department", and the
patient's consults on the cancer record page (oncology asks through `RECORD_SECTIONS`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oncocenter.core.permissions import active_role, has_perm
from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
from oncocenter.core.roles import ALL_STAFF, Role
from oncocenter.oncology.hooks import RECORD_SECTIONS
from oncocenter.patients.models import Patient
from oncocenter.referrals import flow
from oncocenter.referrals.models import Department, Referral
from oncocenter.referrals.selectors import DEFAULT_DEPARTMENT, patient_referrals


def referral_panel(request: HttpRequest) -> dict[str, Any] | None:
    department = DEFAULT_DEPARTMENT.get(active_role(request))
    if department is None:
        return None
    qs = Referral.objects.filter(to_department=department, status__in=flow.OPEN_STATUSES)
    return {
        "department": department,
        "label": Department(department).label,
        "count": qs.count(),
        "rows": list(qs.select_related("patient").order_by("requested_at")[:8]),
    }


def record_section(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    return {
        "patient": patient,
        "referrals": patient_referrals(patient=patient),
        "can_refer": has_perm(request.user, "referral.create"),
    }


def register() -> None:
    registry.add_nav(
        NavItem("referrals", _("Referrals"), "referrals:worklist", "referral.view", order=50)
    )
    registry.add_panel(
        HomePanel(
            "referrals",
            _("Referrals to my department"),
            "referrals/_partials/panel_referrals.html",
            frozenset(ALL_STAFF) - {Role.TEACHER},
            referral_panel,
            order=20,
            permission="referral.view",
        )
    )
    RECORD_SECTIONS.register(
        PatientSection(
            "referrals",
            _("Referrals"),
            "referrals/_partials/record_referrals.html",
            "referral.view",
            record_section,
            order=10,
        )
    )
