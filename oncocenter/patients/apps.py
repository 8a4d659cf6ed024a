from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "oncocenter.patients"
    label = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        from oncocenter.patients.panels import register

        register()
        from oncocenter.core.registry import NavItem, registry

        registry.add_nav(
            NavItem("patients", _("Patients"), "patients:search", "patient.search", order=10)
        )
        for order, code, label in (
            (20, "radonc", _("Radiation Oncology Center")),
            (30, "esophageal", _("Esophageal Cancer Center")),
            (40, "pediatric", _("Pediatric Hematology-Oncology")),
        ):
            registry.add_nav(
                NavItem(
                    f"center-{code}",
                    label,
                    f"patients:center-{code}",
                    "patient.search",
                    section="centers",
                    order=order,
                )
            )
        registry.add_nav(
            NavItem(
                "break-glass",
                _("Break-the-glass report"),
                "patients:break-glass-report",
                "breakglass.report",
                section="admin",
                order=15,
            )
        )
        from oncocenter.core.permissions import BREAK_GLASS
        from oncocenter.patients.services_breakglass import break_glass_use

        BREAK_GLASS.register(break_glass_use)
