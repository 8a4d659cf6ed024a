"""Import the DICOM RT Beams Treatment Records a console exported into a folder.

Each `*.dcm` file (a regular file directly in the folder) is imported as the given therapist;
a recorded one moves to `imported/`, a refused one to `refused/` with a `.txt` beside it listing
every difference. Run it from a timer or after each export.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oncocenter.core.errors import DomainError
from oncocenter.radiotherapy.services.records import treatment_record_import

MAX_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = "Import DICOM RT Beams Treatment Records from a folder as one therapist."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder")
        parser.add_argument("--user", required=True, help="username of the recording therapist")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']}")
        done, refused = folder / "imported", folder / "refused"
        imported = failed = 0
        for path in sorted(folder.glob("*.dcm")):
            if not path.is_file() or path.is_symlink():
                continue
            try:
                if path.stat().st_size > MAX_BYTES:
                    raise CommandError("larger than 20 MB")
                delivery = treatment_record_import(
                    content=path.read_bytes(), by=user, source="folder"
                )
            except (DomainError, CommandError) as exc:
                failed += 1
                refused.mkdir(exist_ok=True)
                problems = getattr(exc, "problems", [])
                lines = [str(getattr(exc, "message", exc))] + [
                    f"{p.field}: {p.message}" for p in problems
                ]
                (refused / f"{path.name}.txt").write_text("\n".join(lines) + "\n")
                shutil.move(str(path), refused / path.name)
                self.stdout.write(f"refused {path.name}: {lines[0]}")
                continue
            imported += 1
            done.mkdir(exist_ok=True)
            shutil.move(str(path), done / path.name)
            self.stdout.write(f"imported {path.name}: delivery {delivery.pk}")
        self.stdout.write(f"{imported} imported, {failed} refused")
