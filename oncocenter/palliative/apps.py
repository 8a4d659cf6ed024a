from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PalliativeConfig(AppConfig):
    name = "oncocenter.palliative"
    label = "palliative"
    verbose_name = _("Pediatric palliative care")

    def ready(self) -> None:
        from oncocenter.palliative import registrations

        registrations.register()
