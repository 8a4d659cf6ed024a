from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "oncocenter.interop"
    label = "interop"
    verbose_name = "Interoperability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from oncocenter.core.registry import NavItem, registry
        from oncocenter.interop.fhir import history

        history.connect()
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
