"""`oncocenter hl7_listen --port 2575 --user hl7feed`: receive ADT from the patient index."""

from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oncocenter.accounts.models import User
from oncocenter.audit.context import AuditContext, bind_context


class Command(BaseCommand):
    help = "Listen for HL7 v2 ADT messages over MLLP; store, apply and acknowledge each one."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2575)
        parser.add_argument(
            "--user", required=True, help="Staff account the feed acts as (audited)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        bind_context(AuditContext(user=user, role="", system_actor="hl7"))
        from oncocenter.interop.hl7.mllp import serve

        self.stdout.write(f"MLLP listening on {options['host']}:{options['port']}")
        asyncio.run(serve(options["host"], options["port"], user))
