from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "oncocenter.labs"
    label = "labs"
    verbose_name = _("Laboratory medicine")

    def ready(self) -> None:
        from oncocenter.labs import registrations

        registrations.register()
        from oncocenter.labs.jobs import register_kinds

        register_kinds()
