from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PediatricsConfig(AppConfig):
    name = "oncocenter.pediatrics"
    label = "pediatrics"
    verbose_name = _("Pediatric hemato-oncology")

    def ready(self) -> None:
        from oncocenter.pediatrics import registrations

        registrations.register()
