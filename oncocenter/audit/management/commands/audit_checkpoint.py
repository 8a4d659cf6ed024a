import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oncocenter.audit.checkpoints import checkpoint_path
from oncocenter.audit.services import checkpoint_write


class Command(BaseCommand):
    help = (
        "Append a signed checkpoint of the audit chain (count and head hash) to the checkpoint "
        "file outside the database; with --export, also copy the file elsewhere (run from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--export", help="Copy the checkpoint file to this path afterwards.")

    def handle(self, *args, **options):
        source = checkpoint_path()
        if source is None:
            raise CommandError("AUDIT_CHECKPOINT_FILE is empty: checkpoints are switched off.")
        cp = checkpoint_write()
        self.stdout.write(f"checkpoint #{cp.seq} {cp.head_hash[:16]}... written to {source}")
        if options.get("export"):
            target = Path(options["export"])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            self.stdout.write(f"exported to {target}")
