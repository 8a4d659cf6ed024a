from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    name = "oncocenter.clinics"
    label = "clinics"
    verbose_name = _("Clinics and admissions")

    def ready(self) -> None:
        from oncocenter.clinics import panels
        from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
        from oncocenter.core.roles import PHYSICIANS, Role

        registry.add_nav(
            NavItem("clinics", _("Clinic sessions"), "clinics:sessions", "clinic.view", order=50)
        )
        registry.add_nav(
            NavItem(
                "clinic-waitlist",
                _("Clinic waitlist"),
                "clinics:waitlist",
                "clinic.view",
                section="esophageal",
                order=10,
            )
        )
        registry.add_nav(
            NavItem(
                "wards",
                _("Wards and beds"),
                "clinics:wards",
                "admission.view",
                section="esophageal",
                order=20,
            )
        )
        registry.add_nav(
            NavItem(
                "priority-policy",
                _("Priority policy"),
                "clinics:policy",
                "clinic.policy_edit",
                section="admin",
                order=50,
            )
        )
        registry.add_panel(
            HomePanel(
                "clinic-waitlist",
                _("Clinic waitlist (by priority)"),
                "clinics/_partials/panel_waitlist.html",
                frozenset({Role.SCHEDULER, Role.ADMINISTRATOR}),
                panels.waitlist_panel,
                order=20,
                permission="clinic.view",
            )
        )
        registry.add_panel(
            HomePanel(
                "clinic-today",
                _("Today's clinic"),
                "clinics/_partials/panel_today.html",
                frozenset({Role.SCHEDULER, Role.NURSE, *PHYSICIANS}),
                panels.today_panel,
                order=10,
                permission="clinic.view",
            )
        )
        registry.add_panel(
            HomePanel(
                "beds",
                _("Beds and re-admission waitlist"),
                "clinics/_partials/panel_beds.html",
                frozenset({Role.NURSE, Role.SCHEDULER, Role.ADMINISTRATOR}),
                panels.beds_panel,
                order=30,
                permission="admission.view",
            )
        )
        registry.add_patient_section(
            PatientSection(
                "clinics",
                _("Appointments and admission"),
                "clinics/_partials/patient_section.html",
                "clinic.view",
                panels.patient_section,
                order=40,
            )
        )
