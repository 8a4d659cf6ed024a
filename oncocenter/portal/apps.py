from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "oncocenter.portal"
    label = "portal"
    verbose_name = _("Patient portal")

    def ready(self) -> None:
        from oncocenter.portal import registrations

        registrations.register()
