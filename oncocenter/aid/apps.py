from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "oncocenter.aid"
    label = "aid"
    verbose_name = _("Aid associations")

    def ready(self) -> None:
        from oncocenter.aid import registrations

        registrations.register()
