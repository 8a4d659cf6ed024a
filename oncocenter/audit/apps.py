from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "oncocenter.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from oncocenter.audit.db_guards import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="audit_sqlite_guard")
        from oncocenter.audit.panels import register

        register()
        from oncocenter.audit.home import audit_home_panels
        from oncocenter.core.events import HomePanelsShown, subscribe

        subscribe(HomePanelsShown, audit_home_panels)
        from oncocenter.core.registry import NavItem, registry

        registry.add_nav(
            NavItem(
                "audit", _("Audit trail"), "audit:events", "audit.view", section="admin", order=10
            )
        )
