from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "oncocenter.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from oncocenter.core.registry import NavItem, registry

        registry.add_nav(
            NavItem("jobs", _("My jobs"), "jobs:list", "job.view", section="main", order=90)
        )
