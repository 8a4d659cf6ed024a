from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "oncocenter.interop"
    label = "interop"
    verbose_name = "Interoperability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oncocenter.interop.fhir import history

        history.connect()
