"""`oncocenter day-sessions [--date YYYY-MM-DD]`: sessions (booked or already treated) and minutes
per machine on a day (today by default), the figure the demo's "real day" is judged by (issue 16)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oncocenter.scheduling.selectors import machine_day_counts


class Command(BaseCommand):
    help = "Sessions (booked or treated) and minutes per machine on a day (default: today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, date: str, **options):
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date: must be a date YYYY-MM-DD, got {date!r}") from None
        rows = machine_day_counts(day=day)
        self.stdout.write(f"{day.isoformat()} ({day.strftime('%A')})")
        self.stdout.write(
            f"{'machine':<10} {'kind':<12} {'sessions':>8} {'treated':>8} {'minutes':>8} "
            f"{'of open':>8}"
        )
        for r in rows:
            share = f"{100 * r.minutes / r.open_minutes:.0f}%" if r.open_minutes else "-"
            self.stdout.write(
                f"{r.code:<10} {r.kind:<12} {r.sessions:>8} {r.treated:>8} {r.minutes:>8} "
                f"{share:>8}"
            )
        linac = sum(r.sessions for r in rows if r.kind == "linac")
        other = sum(r.sessions for r in rows if r.kind != "linac")
        self.stdout.write(f"LINAC sessions: {linac}; other machines: {other}")
