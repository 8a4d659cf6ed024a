from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "oncocenter.support"
    label = "support"
    verbose_name = _("Pediatric support services")

    def ready(self) -> None:
        from oncocenter.support import registrations

        registrations.register()
