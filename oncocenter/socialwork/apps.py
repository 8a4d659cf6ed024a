from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialworkConfig(AppConfig):
    name = "oncocenter.socialwork"
    label = "socialwork"
    verbose_name = _("Social work")

    def ready(self) -> None:
        from oncocenter.socialwork import registrations

        registrations.register()
