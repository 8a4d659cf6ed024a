from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "oncocenter.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from oncocenter.referrals import chart, panels

        panels.register()
        chart.register()
