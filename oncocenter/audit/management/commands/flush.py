"""`flush` with the audit trail in mind: refused unless AUDIT_ALLOW_FLUSH (the test settings),
and then run in audit maintenance so the database's delete guards let it empty the tables."""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from oncocenter.audit.db_guards import audit_maintenance


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        if not settings.AUDIT_ALLOW_FLUSH:
            raise CommandError(
                "flush would delete the audit trail, which is append-only; refused "
                "(restore an empty database instead: docs/operations.md)."
            )
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        connection.ensure_connection()
        with audit_maintenance(connection):
            super().handle(**options)
