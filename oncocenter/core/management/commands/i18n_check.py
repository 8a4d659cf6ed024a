"""`oncocenter i18n-check [app ...]`: list messages that are not marked or have no Korean text."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oncocenter.core.i18ncheck import app_dirs, unmarked_messages, untranslated


class Command(BaseCommand):
    help = "List user-visible messages not marked for translation or without a Korean translation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("apps", nargs="*", help="app labels (default: every OncoCenter app)")

    def handle(self, *args: Any, apps: list[str], **options: Any) -> None:
        problems = 0
        for app_dir in app_dirs(apps or None):
            for finding in unmarked_messages(app_dir):
                self.stdout.write(f"not marked: {finding}")
                problems += 1
            for finding in untranslated(app_dir):
                self.stdout.write(f"no Korean:  {finding}")
                problems += 1
        self.stdout.write(f"{problems} problem(s)")
        if problems:
            raise SystemExit(1)
