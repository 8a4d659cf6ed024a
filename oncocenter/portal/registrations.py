"""The portal's sources of upcoming appointments, the nurse's alert panel, navigation and the
patient-page block where staff open portal access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
from oncocenter.core.roles import PHYSICIANS, Role


def _alerts_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.audit.services import audit_record
    from oncocenter.portal import selectors

    rows = [a for a in selectors.alerts_for(request.user) if a.status == "open"][:10]  # type: ignore[arg-type]
    audit_record(
        action="read",
        object_type="portal.symptom_alerts",
        detail={"panel": True, "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return {"rows": rows, "url": reverse("portal:staff_alerts")}


def _access_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    from oncocenter.core.permissions import has_perm
    from oncocenter.portal import selectors

    return {
        "accounts": selectors.accounts_of(patient),
        "patient": patient,
        "can_release": has_perm(request.user, "portal.release_results"),
    }


def _reminders_at() -> dt.time:
    """Local time of the daily reminder scan (`ONCOCENTER_REMINDERS_AT`, "HH:MM", default 09:00:
    after the quiet hours, so the day-before reminders go out in the morning)."""
    from django.conf import settings

    hour, minute = str(getattr(settings, "ONCOCENTER_REMINDERS_AT", "09:00")).split(":")
    return dt.time(int(hour), int(minute))


def _enqueue_reminders() -> object:
    from oncocenter.portal.tasks import send_daily_reminders

    return send_daily_reminders.enqueue()


def register() -> None:
    from oncocenter.jobs.periodic import DailyTask, register_daily
    from oncocenter.portal import staff_notices
    from oncocenter.portal.appointments import register_builtin_sources

    register_builtin_sources()
    register_daily(DailyTask("portal.daily_reminders", _reminders_at, _enqueue_reminders))
    staff_notices.subscribe_events()
    registry.add_nav(
        NavItem("portal-alerts", _("Symptom alerts"), "portal:staff_alerts", "epro.view", order=45)
    )
    registry.add_nav(
        NavItem(
            "portal-requests",
            _("Appointment change requests"),
            "portal:staff_requests",
            "portal.requests",
            order=46,
        )
    )
    registry.add_panel(
        HomePanel(
            key="portal-symptom-alerts",
            title=_("Symptom alerts from the portal"),
            template="portal/_partials/panel_alerts.html",
            roles=frozenset({Role.NURSE, *PHYSICIANS}),
            context=_alerts_panel,
            order=5,
            permission="epro.view",
        )
    )
    registry.add_patient_section(
        PatientSection(
            "portal-access",
            _("Patient portal"),
            "portal/_partials/section_access.html",
            "portal.manage",
            _access_section,
            order=90,
        )
    )
