"""`oncocenter hl7_replay --errors` (or `--id N`): apply refused (AE) messages again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oncocenter.accounts.models import User
from oncocenter.audit.context import AuditContext, bind_context
from oncocenter.interop.hl7.services import hl7_replay
from oncocenter.interop.models import Hl7Message


class Command(BaseCommand):
    help = "Replay stored HL7 messages that were refused with AE."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True)
        parser.add_argument("--id", type=int, action="append", default=[])
        parser.add_argument("--errors", action="store_true", help="Every message answered AE.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        bind_context(AuditContext(user=user, role="", system_actor="hl7"))
        qs = (
            Hl7Message.objects.filter(ack_code="AE")
            if options["errors"]
            else Hl7Message.objects.filter(pk__in=options["id"])
        )
        for message in qs.order_by("pk"):
            hl7_replay(message=message, by=user)
            self.stdout.write(
                f"{message.pk} {message.control_id}: {message.ack_code} {message.ack_text or message.outcome}"
            )
