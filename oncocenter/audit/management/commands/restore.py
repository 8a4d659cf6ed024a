from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oncocenter.audit.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup into the configured, EMPTY database, then compare the row counts with "
        "the backup's manifest and verify the audit chain; exit 1 if anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The .sqlite3 or .dump file written by `backup`.")
        parser.add_argument(
            "--checkpoints",
            help="Checkpoint file to verify the audit chain against (default: the configured one).",
        )

    def handle(self, *args, **options):
        try:
            result = restore(
                source=Path(options["backup"]), checkpoint_file=options.get("checkpoints")
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in result.mismatches:
            self.stdout.write(f"count differs: {line}")
        self.stdout.write(f"audit: {result.verify.message()}")
        if not result.ok:
            raise CommandError("restore finished, but the checks above failed", returncode=1)
        self.stdout.write("restore ok: every table's count matches the backup")
