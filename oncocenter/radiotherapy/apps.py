from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RadiotherapyConfig(AppConfig):
    name = "oncocenter.radiotherapy"
    label = "radiotherapy"
    verbose_name = _("Radiotherapy")

    def ready(self) -> None:
        from oncocenter.radiotherapy import registry_hooks

        registry_hooks.register()
        from oncocenter.radiotherapy.jobs import register_kinds

        register_kinds()
