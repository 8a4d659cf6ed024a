from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "oncocenter.scheduling"
    label = "scheduling"
    verbose_name = _("Treatment machines and scheduling")

    def ready(self) -> None:
        from oncocenter.core.registry import NavItem, registry

        registry.add_nav(
            NavItem(
                "machines",
                _("Machines"),
                "scheduling:machines",
                "machine.view",
                section="radonc",
                order=50,
            )
        )
