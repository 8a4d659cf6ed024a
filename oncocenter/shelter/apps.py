from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShelterConfig(AppConfig):
    name = "oncocenter.shelter"
    label = "shelter"
    verbose_name = _("Family shelter")

    def ready(self) -> None:
        from oncocenter.shelter import registrations

        registrations.register()
