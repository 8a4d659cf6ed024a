from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialsConfig(AppConfig):
    name = "oncocenter.trials"
    label = "trials"
    verbose_name = _("Clinical trials")

    def ready(self) -> None:
        from oncocenter.trials import chart, panels

        panels.register()
        chart.register()
