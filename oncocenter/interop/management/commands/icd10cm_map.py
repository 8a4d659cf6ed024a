"""`oncocenter icd10cm-map [--check]`: regenerate the ICD-10 (WHO) -> ICD-10-CM ConceptMap."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oncocenter.interop.fhir import icd10cm


class Command(BaseCommand):
    help = "Regenerate interop/data/icd10_to_icd10cm.json from the official ICD-10-CM list."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Exit 1 when the file is stale.")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if check:
            if not icd10cm.is_current():
                raise CommandError(f"{icd10cm.OUT} is stale: run `oncocenter icd10cm-map`.")
            self.stdout.write("current")
            return
        path = icd10cm.write()
        self.stdout.write(f"wrote {path}")
