"""Queue today's reminders (run once a day from cron, e.g. at 09:00): `oncocenter portal_reminders`.
With --enqueue it only puts the job on the "notifications" queue for the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oncocenter.audit.context import AuditContext, bind_context, reset_context


class Command(BaseCommand):
    help = "Queue the day's appointment, follow-up and questionnaire reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Run as a background job.")

    def handle(self, *args: Any, **options: Any) -> None:
        from oncocenter.portal.reminders import reminders_queue
        from oncocenter.portal.tasks import send_daily_reminders

        if options["enqueue"]:
            result = send_daily_reminders.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        token = bind_context(AuditContext(system_actor="system:portal_reminders"))
        try:
            counts = reminders_queue()
        finally:
            reset_context(token)
        for code, n in sorted(counts.items()):
            self.stdout.write(f"{code}: {n}")
