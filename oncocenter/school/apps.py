from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolConfig(AppConfig):
    name = "oncocenter.school"
    label = "school"
    verbose_name = _("Hospital school")

    def ready(self) -> None:
        from oncocenter.school import registrations

        registrations.register()
