from django.apps import AppConfig


class SupportConfig(AppConfig):
    """The former pediatric "support" app, kept installed for its migrations only.

    Its 22 models were split into ``pediatrics``, ``school``, ``aid``, ``shelter``,
    ``palliative`` and ``socialwork`` (issue 14). Databases created before the split have the
    ``support_*`` tables and rows in ``django_migrations`` for this app; its migrations 0004-0006
    hand the guardian birth dates to ``patients`` and the tables (renamed, every row kept) and
    content types to the new apps, so this app must stay installed for those databases to
    migrate, and for a new database to be built through the same steps. It has no models and no
    code besides this file and ``migrations/``.
    """

    name = "oncocenter.support"
    label = "support"
    # Shown nowhere (no models, no admin), so not translated.
    verbose_name = "Pediatric support services (migrations only)"
