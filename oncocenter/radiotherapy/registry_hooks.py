"""Navigation links, role home-page worklists and the patient-page block of the radiotherapy area."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oncocenter.core.roles import Role

PANELS = (
    # key, title, worklist, roles, order
    (
        "rt-rx-to-sign",
        _("Prescriptions to sign"),
        "prescriptions-to-sign",
        {Role.RADIATION_ONCOLOGIST},
        20,
    ),
    (
        "rt-plans-to-approve",
        _("Plans to approve"),
        "plans-to-approve",
        {Role.RADIATION_ONCOLOGIST, Role.DOSIMETRIST},
        21,
    ),
    ("rt-physics-due", _("Physics checks due"), "physics-checks-due", {Role.MEDICAL_PHYSICIST}, 20),
    (
        "rt-reviews-due",
        _("Weekly reviews due"),
        "weekly-reviews-due",
        {Role.RADIATION_ONCOLOGIST, Role.NURSE},
        22,
    ),
    (
        "rt-treat-today",
        _("Treatment today"),
        "treat-today",
        {Role.RADIATION_THERAPIST, Role.SCHEDULER},
        20,
    ),
    (
        "rt-interruptions",
        _("Treatment interruptions"),
        "interruptions",
        {
            Role.RADIATION_ONCOLOGIST,
            Role.MEDICAL_PHYSICIST,
            Role.RADIATION_THERAPIST,
            Role.SCHEDULER,
        },
        23,
    ),
    (
        "rt-overrides",
        _("Dose-limit overrides"),
        "overrides",
        {Role.RADIATION_ONCOLOGIST, Role.MEDICAL_PHYSICIST},
        24,
    ),
)


def _panel_context(name: str):
    def context(request) -> dict[str, Any] | None:
        from oncocenter.audit.models import AuditAction
        from oncocenter.audit.services import audit_record
        from oncocenter.radiotherapy.worklists import worklist_rows

        rows = worklist_rows(name)
        if rows:
            audit_record(
                action=AuditAction.SEARCH,
                object_type="radiotherapy.worklist",
                object_id=name,
                detail={"mrns": sorted({r["mrn"] for r in rows})[:200], "panel": True},
            )
        return {"rows": rows}

    return context


def _patient_context(request, patient) -> dict[str, Any] | None:
    from oncocenter.radiotherapy.models import Course

    return {
        "patient": patient,
        "courses": list(Course.objects.filter(patient=patient).order_by("number")),
    }


def register() -> None:
    from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry

    registry.add_nav(
        NavItem(
            "rt-worklists",
            _("RT worklists"),
            "radiotherapy:index",
            "rt.view",
            section="radonc",
            order=10,
        )
    )
    for key, title, name, roles, order in PANELS:
        registry.add_panel(
            HomePanel(
                key=key,
                title=title,
                template="radiotherapy/_partials/worklist.html",
                roles=frozenset(str(r) for r in roles),
                context=_panel_context(name),
                order=order,
                permission="rt.view",
            )
        )
    registry.add_patient_section(
        PatientSection(
            key="radiotherapy",
            title=_("Radiotherapy"),
            template="radiotherapy/_partials/patient_section.html",
            permission="rt.view",
            context=_patient_context,
            order=30,
        )
    )
