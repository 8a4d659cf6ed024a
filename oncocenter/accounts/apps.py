from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "oncocenter.accounts"
    label = "accounts"
    verbose_name = _("Staff and credentials")

    def ready(self) -> None:
        from oncocenter.accounts.panels import register

        register()
        from oncocenter.core.registry import NavItem, registry

        registry.add_nav(
            NavItem(
                "staff", _("Staff"), "accounts:staff", "staff.manage", section="admin", order=20
            )
        )
