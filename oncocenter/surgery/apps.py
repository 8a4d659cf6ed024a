from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurgeryConfig(AppConfig):
    name = "oncocenter.surgery"
    label = "surgery"
    verbose_name = _("Surgery and treatment response")

    def ready(self) -> None:
        from oncocenter.surgery import registrations

        registrations.register()
