from django.core.management.base import BaseCommand, CommandError

from oncocenter.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 at the first broken link."

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(result.message(), returncode=1)
        self.stdout.write(result.message())
