"""Navigation, home-page panels and patient-page sections of the support area."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.permissions import has_perm
from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry


def _is_pediatric(patient: Any) -> bool:
    from oncocenter.support.selectors import PEDIATRIC_AGE_LIMIT

    if patient.age_on(timezone.localdate()) < PEDIATRIC_AGE_LIMIT:
        return True
    return any(m.center.code == "pediatric" for m in patient.center_memberships.all())


def _pediatric_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    from oncocenter.support import selectors

    if not _is_pediatric(patient):
        return None
    profile = getattr(patient, "pediatric_profile", None)
    return {
        "url": reverse("support:pediatric", args=[patient.mrn]),
        "sedation_required": bool(profile and profile.sedation_required),
        "measurement": selectors.latest_measurement(patient),
        "diagnoses": selectors.childhood_diagnoses(patient),
    }


def _services_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    if not _is_pediatric(patient):
        return None
    links = []
    if has_perm(request.user, "support.school.view"):
        links.append((reverse("support:school"), _("Hospital school")))
    if has_perm(request.user, "support.aid.view"):
        links.append(
            (reverse("support:aid-family", args=[patient.mrn]), _("Aid received by the family"))
        )
    if has_perm(request.user, "support.shelter.view"):
        links.append((reverse("support:shelter"), _("Family shelter")))
    if has_perm(request.user, "support.palliative.refer"):
        links.append(
            (
                reverse("support:palliative-refer") + f"?mrn={patient.mrn}",
                _("Refer to palliative care"),
            )
        )
    return {"links": links} if links else None


def _audit_panel(key: str, mrns: list[str]) -> None:
    from oncocenter.audit.services import audit_record

    if mrns:
        audit_record(action="read", object_type=f"support.panel.{key}", detail={"mrns": mrns})


def _teacher_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.support.models import SchoolEnrollment

    rows = list(
        SchoolEnrollment.objects.filter(
            ended_on__isnull=True, school_class__teacher_id=request.user.pk
        ).select_related("patient", "school_class")[:30]
    )
    _audit_panel("school", [e.patient.mrn for e in rows])
    return {"rows": rows, "url": reverse("support:school")}


def _shelter_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.support import selectors

    today = timezone.localdate()
    occupancy = selectors.room_occupancy(today)
    top = selectors.waitlist_ranked()[:5]
    _audit_panel("shelter", [r["entry"].patient.mrn for r in top])
    return {
        "free": sum(1 for r in occupancy if r["stay"] is None),
        "rooms": len(occupancy),
        "top": top,
        "url": reverse("support:shelter"),
    }


def _hsct_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.support import selectors

    rows = selectors.hsct_active_episodes(timezone.localdate())[:15]
    _audit_panel("hsct", [v.episode.patient.mrn for v in rows])
    return {"rows": rows, "url": reverse("support:hsct")}


def _palliative_panel(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.support.models import PalliativeReferral

    rows = list(
        PalliativeReferral.objects.filter(status__in=["requested", "active"]).select_related(
            "patient"
        )[:15]
    )
    _audit_panel("palliative", [r.patient.mrn for r in rows])
    return {"rows": rows, "url": reverse("support:palliative")}


def sedation_required(patient: Any) -> bool | None:
    """Answer the scheduler's question from the pediatric profile (None: no profile)."""
    from oncocenter.support.models import PediatricProfile

    value = (
        PediatricProfile.objects.filter(patient=patient)
        .values_list("sedation_required", flat=True)
        .first()
    )
    return None if value is None else bool(value)


def register() -> None:
    from oncocenter.scheduling.hooks import SEDATION_REQUIRED

    SEDATION_REQUIRED.register(sedation_required)
    for key, label, url, perm, order in (
        ("support-hub", _("Support services"), "support:hub", "patient.search", 10),
        ("support-hsct", _("Transplant (HSCT)"), "support:hsct", "support.hsct.view", 20),
        ("support-school", _("Hospital school"), "support:school", "support.school.view", 30),
        ("support-aid", _("Aid associations"), "support:aid", "support.aid.view", 40),
        ("support-shelter", _("Family shelter"), "support:shelter", "support.shelter.view", 50),
        (
            "support-palliative",
            _("Palliative care"),
            "support:palliative",
            "support.palliative.view",
            60,
        ),
        ("support-social", _("Social work"), "support:social", "support.social.view", 70),
        ("support-reports", _("Pediatric reports"), "support:reports", "support.reports.view", 80),
    ):
        registry.add_nav(NavItem(key, label, url, perm, section="pediatric", order=order))
    registry.add_patient_section(
        PatientSection(
            key="pediatric",
            title=_("Pediatric record"),
            template="support/_partials/patient_pediatric.html",
            permission="support.pediatric.view",
            context=_pediatric_section,
            order=40,
        )
    )
    registry.add_patient_section(
        PatientSection(
            key="support-services",
            title=_("Support services"),
            template="support/_partials/patient_services.html",
            permission="patient.view",
            context=_services_section,
            order=45,
        )
    )
    registry.add_panel(
        HomePanel(
            key="support-teacher",
            title=_("My hospital-school pupils"),
            template="support/_partials/panel_teacher.html",
            roles=frozenset({"hospital_school_teacher"}),
            context=_teacher_panel,
            permission="support.school.view",
        )
    )
    registry.add_panel(
        HomePanel(
            key="support-shelter",
            title=_("Family shelter"),
            template="support/_partials/panel_shelter.html",
            roles=frozenset({"social_worker", "administrator"}),
            context=_shelter_panel,
            permission="support.shelter.view",
        )
    )
    registry.add_panel(
        HomePanel(
            key="support-hsct",
            title=_("Transplant day counts"),
            template="support/_partials/panel_hsct.html",
            roles=frozenset({"pediatric_oncologist", "nurse"}),
            context=_hsct_panel,
            permission="support.hsct.view",
        )
    )
    registry.add_panel(
        HomePanel(
            key="support-palliative",
            title=_("Palliative care referrals"),
            template="support/_partials/panel_palliative.html",
            roles=frozenset({"palliative_care", "pediatric_oncologist"}),
            context=_palliative_panel,
            permission="support.palliative.view",
        )
    )
