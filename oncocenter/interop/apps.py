from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "oncocenter.interop"
    label = "interop"
    verbose_name = "Interoperability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oncocenter.core.registry import NavItem, registry
        from oncocenter.interop.exports.jobs import register_kinds
        from oncocenter.interop.fhir import history

        register_kinds()
        history.connect()
        registry.add_nav(
            NavItem(
                "exports",
                _("Exports"),
                "exports:index",
                "research.export",
                section="admin",
                order=40,
            )
        )
        registry.add_nav(
            NavItem(
                "hl7-messages",
                _("HL7 messages"),
                "interop:hl7-messages",
                "hl7.view",
                section="admin",
                order=60,
            )
        )
