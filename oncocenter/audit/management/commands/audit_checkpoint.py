import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oncocenter.audit.checkpoints import checkpoint_path
from oncocenter.audit.services import checkpoint_write


class Command(BaseCommand):
    help = (
        "Append a signed checkpoint of every audit shard's chain (shard, count and head hash) "
        "to the checkpoint file outside the database; with --export, also copy the file "
        "elsewhere (run from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--export", help="Copy the checkpoint file to this path afterwards.")

    def handle(self, *args, **options):
        source = checkpoint_path()
        if source is None:
            raise CommandError("AUDIT_CHECKPOINT_FILE is empty: checkpoints are switched off.")
        written = checkpoint_write()
        for cp in written:
            self.stdout.write(f"checkpoint of shard {cp.shard}: #{cp.seq} {cp.head_hash[:16]}...")
        events = sum(cp.seq for cp in written)
        self.stdout.write(f"{len(written)} shard(s), {events} events, written to {source}")
        if options.get("export"):
            target = Path(options["export"])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            self.stdout.write(f"exported to {target}")
