from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "oncocenter.followup"
    label = "followup"
    verbose_name = _("Follow-up")

    def ready(self) -> None:
        from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
        from oncocenter.core.roles import PHYSICIANS, Role
        from oncocenter.followup import panels, subscribers

        subscribers.register()

        registry.add_nav(
            NavItem(
                "followup-overdue",
                _("Overdue follow-up"),
                "followup:overdue",
                "followup.view",
                section="esophageal",
                order=30,
            )
        )
        registry.add_panel(
            HomePanel(
                "followup-overdue",
                _("Overdue follow-up"),
                "followup/_partials/panel_overdue.html",
                frozenset({Role.SCHEDULER, Role.NURSE, *PHYSICIANS}),
                panels.overdue_panel,
                order=25,
                permission="followup.view",
            )
        )
        registry.add_patient_section(
            PatientSection(
                "followup",
                _("Follow-up plan"),
                "followup/_partials/patient_section.html",
                "followup.view",
                panels.patient_section,
                order=50,
            )
        )
