"""Mark the booked sessions of past days without a delivery missed, and rebook each one.

Run each morning before the first treatment (a timer, as `oncocenter mark_missed_sessions
--user SCHEDULER`); the same work runs as the "missed sessions" job from the day board.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oncocenter.core.errors import DomainError
from oncocenter.scheduling.jobs import missed_summary
from oncocenter.scheduling.services import missed_sessions_process


class Command(BaseCommand):
    help = "Mark past booked sessions without a delivery missed and rebook them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username of a scheduler or therapist")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']}")
        try:
            result = missed_sessions_process(by=user)
        except DomainError as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
        summary = missed_summary(result)
        self.stdout.write(str(summary["summary"]))
        for line in summary["lines"]:
            self.stdout.write(f"  {line}")
