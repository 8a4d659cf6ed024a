from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MdtConfig(AppConfig):
    name = "oncocenter.mdt"
    label = "mdt"
    verbose_name = _("Tumor boards")

    def ready(self) -> None:
        from oncocenter.mdt import chart, panels

        panels.register()
        chart.register()
