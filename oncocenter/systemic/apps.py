from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SystemicConfig(AppConfig):
    name = "oncocenter.systemic"
    label = "systemic"
    verbose_name = _("Systemic therapy")

    def ready(self) -> None:
        from oncocenter.systemic import registrations

        registrations.register()
