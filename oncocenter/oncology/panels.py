"""Home-page worklist panels and the patient-page section of the clinical core (issue 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from oncocenter.core.permissions import active_role
from oncocenter.core.roles import Role


def referral_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.referrals import flow
    from oncocenter.referrals.models import Department, Referral
    from oncocenter.referrals.selectors import DEFAULT_DEPARTMENT

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


WORKUP_BY_ROLE: dict[str, str] = {
    Role.PATHOLOGIST: "pathology",
    Role.RADIOLOGIST: "radiology",
    Role.NUCLEAR_MEDICINE: "nuclear_medicine",
}


def workup_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.oncology.models import WorkupDepartment, WorkupOrder, WorkupStatus

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


def board_panel(request: HttpRequest) -> dict[str, Any] | None:
    from django.db.models import Count

    from oncocenter.mdt.models import Meeting, MeetingStatus

    today = timezone.localdate()
    rows = list(
        Meeting.objects.filter(
            held_on__gte=today,
            held_on__lte=today + dt.timedelta(days=14),
            status=MeetingStatus.PLANNED,
        )
        .select_related("board_type")
        .annotate(n_cases=Count("cases"))
        .order_by("held_on")[:6]
    )
    return {"rows": rows}


def trial_panel(request: HttpRequest) -> dict[str, Any] | None:
    from django.db.models import Count, Q

    from oncocenter.trials.models import Study, StudyStatus

    rows = list(
        Study.objects.filter(status=StudyStatus.RECRUITING).annotate(
            n_enrolled=Count("enrollments", filter=Q(enrollments__status="enrolled"))
        )
    )
    return {"rows": rows}


def copay_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.patients.models_record import COPAY_REMINDER_DAYS, CopayRegistration

    today = timezone.localdate()
    count = CopayRegistration.objects.filter(
        expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=COPAY_REMINDER_DAYS)
    ).count()
    return {"count": count}


def patient_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    from oncocenter.oncology.models import Diagnosis

    return {"patient": patient, "diagnoses": list(Diagnosis.objects.filter(patient=patient)[:5])}


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
    from oncocenter.core.roles import ALL_STAFF, PHYSICIANS

    registry.add_nav(
        NavItem("referrals", _("Referrals"), "referrals:worklist", "referral.view", order=50)
    )
    registry.add_nav(
        NavItem("workup", _("Diagnostic workup"), "oncology:workup", "workup.view", order=55)
    )
    registry.add_nav(NavItem("mdt", _("Tumor boards"), "mdt:meetings", "mdt.view", order=60))
    registry.add_nav(
        NavItem("trials", _("Clinical trials"), "trials:studies", "trial.view", order=65)
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
            "referrals",
            _("Referrals to my department"),
            "oncology/_partials/panel_referrals.html",
            frozenset(ALL_STAFF) - {Role.TEACHER},
            referral_panel,
            order=20,
            permission="referral.view",
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
            "boards",
            _("Tumor boards in the next 14 days"),
            "oncology/_partials/panel_boards.html",
            frozenset(PHYSICIANS | {Role.NURSE, Role.RESEARCH_COORDINATOR}),
            board_panel,
            order=30,
            permission="mdt.view",
        )
    )
    registry.add_panel(
        HomePanel(
            "trials",
            _("Recruiting studies"),
            "oncology/_partials/panel_trials.html",
            frozenset({Role.RESEARCH_COORDINATOR, Role.PEDIATRIC_ONCOLOGIST}),
            trial_panel,
            order=35,
            permission="trial.view",
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
