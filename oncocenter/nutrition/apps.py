from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NutritionConfig(AppConfig):
    name = "oncocenter.nutrition"
    label = "nutrition"
    verbose_name = _("Nutrition and quality of life")

    def ready(self) -> None:
        from oncocenter.core.registry import HomePanel, NavItem, PatientSection, registry
        from oncocenter.core.roles import PHYSICIANS, Role
        from oncocenter.nutrition import panels

        registry.add_nav(
            NavItem(
                "nutrition-worklist",
                _("Dietitian worklist"),
                "nutrition:worklist",
                "nutrition.alerts",
                section="esophageal",
                order=40,
            )
        )
        registry.add_nav(
            NavItem(
                "qol-worklist",
                _("Quality-of-life drops"),
                "nutrition:qol-worklist",
                "qol.alerts",
                section="esophageal",
                order=50,
            )
        )
        registry.add_nav(
            NavItem(
                "nutrition-settings",
                _("Nutrition alert thresholds"),
                "nutrition:settings",
                "nutrition.settings",
                section="admin",
                order=55,
            )
        )
        registry.add_panel(
            HomePanel(
                "nutrition-alerts",
                _("Nutrition alerts"),
                "nutrition/_partials/panel_alerts.html",
                frozenset({Role.DIETITIAN}),
                panels.alerts_panel,
                order=5,
                permission="nutrition.alerts",
            )
        )
        registry.add_panel(
            HomePanel(
                "qol-alerts",
                _("Quality-of-life drops"),
                "nutrition/_partials/panel_qol.html",
                frozenset(
                    {
                        Role.NURSE,
                        Role.DIETITIAN,
                        Role.PALLIATIVE_CARE,
                        Role.SOCIAL_WORKER,
                        *PHYSICIANS,
                    }
                ),
                panels.qol_panel,
                order=35,
                permission="qol.alerts",
            )
        )
        registry.add_patient_section(
            PatientSection(
                "nutrition",
                _("Nutrition and quality of life"),
                "nutrition/_partials/patient_section.html",
                "nutrition.view",
                panels.patient_section,
                order=60,
            )
        )
