from django.core.management.base import BaseCommand, CommandError

from oncocenter.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail: every keyed hash and link, and agreement with the signed "
        "checkpoints outside the database; exit 1 naming what was found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            help="A checkpoint file to hold the chain against (default: AUDIT_CHECKPOINT_FILE), "
            "e.g. the exported copy.",
        )

    def handle(self, *args, **options):
        result = audit_verify(checkpoint_file=options.get("checkpoints"))
        if not result.ok:
            raise CommandError(result.message(), returncode=1)
        self.stdout.write(result.message())
