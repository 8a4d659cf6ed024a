from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncologyConfig(AppConfig):
    name = "oncocenter.oncology"
    label = "oncology"
    verbose_name = _("Oncology")

    def ready(self) -> None:
        from oncocenter.oncology import chart, panels

        panels.register()
        chart.register()
