"""Navigation, home panel, patient-page sections and the scheduler's sedation question."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.permissions import has_perm
from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
from oncocenter.patients.models import Patient
from oncocenter.pediatrics import selectors
from oncocenter.pediatrics.hooks import SERVICE_LINKS
from oncocenter.pediatrics.lookups import audit_panel_read
from oncocenter.scheduling.hooks import SEDATION_REQUIRED


def _pediatric_section(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    if not selectors.is_pediatric(patient):
        return None
    profile = getattr(patient, "pediatric_profile", None)
    return {
        "url": reverse("pediatrics:pediatric", args=[patient.mrn]),
        "sedation_required": bool(profile and profile.sedation_required),
        "measurement": selectors.latest_measurement(patient),
        "diagnoses": selectors.childhood_diagnoses(patient),
    }


def _services_section(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """Links to the support services this user may open for the child (filled by each one)."""
    if not selectors.is_pediatric(patient):
        return None
    links = [
        (link.url(patient), link.label)
        for link in sorted(SERVICE_LINKS.providers(), key=lambda link: link.order)
        if has_perm(request.user, link.permission)
    ]
    return {"links": links} if links else None


def _hsct_panel(request: HttpRequest) -> dict[str, Any] | None:
    rows = selectors.hsct_active_episodes(timezone.localdate())[:15]
    audit_panel_read("hsct", [v.episode.patient.mrn for v in rows])
    return {"rows": rows, "url": reverse("pediatrics:hsct")}


def register() -> None:
    from oncocenter.pediatrics import engraftment

    SEDATION_REQUIRED.register(selectors.sedation_required)
    engraftment.register()
    for key, label, url, perm, order in (
        ("support-hub", _("Support services"), "pediatrics:hub", "patient.search", 10),
        ("support-hsct", _("Transplant (HSCT)"), "pediatrics:hsct", "hsct.view", 20),
        ("support-reports", _("Pediatric reports"), "pediatrics:reports", "pediatric.reports", 80),
    ):
        registry.add_nav(NavItem(key, label, url, perm, section="pediatric", order=order))
    registry.add_patient_section(
        PatientSection(
            key="pediatric",
            title=_("Pediatric record"),
            template="pediatrics/_partials/patient_pediatric.html",
            permission="pediatric.view",
            context=_pediatric_section,
            order=40,
        )
    )
    registry.add_patient_section(
        PatientSection(
            key="support-services",
            title=_("Support services"),
            template="pediatrics/_partials/patient_services.html",
            permission="patient.view",
            context=_services_section,
            order=45,
        )
    )
    registry.add_panel(
        HomePanel(
            key="support-hsct",
            title=_("Transplant day counts"),
            template="pediatrics/_partials/panel_hsct.html",
            roles=frozenset({"pediatric_oncologist", "nurse"}),
            context=_hsct_panel,
            permission="hsct.view",
        )
    )
