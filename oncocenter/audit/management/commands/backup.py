from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oncocenter.audit.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup, or pg_dump on PostgreSQL) with a manifest "
        "of row counts and the audit chain head (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", help="Directory for the backup (default: <data dir>/backups).")

    def handle(self, *args, **options):
        out = Path(options.get("out") or settings.DATA_DIR / "backups")
        try:
            target = backup(out_dir=out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written: {target} (manifest {target}.json)")
