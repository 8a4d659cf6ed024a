from django.core.management.base import BaseCommand

from oncocenter.audit.context import AuditContext, bind_context, reset_context
from oncocenter.patients.services import patient_rrn_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every resident registration number under ONCOCENTER_FIELD_KEY (MultiFernet "
        "reads the retired keys in ONCOCENTER_FIELD_OLD_KEYS); afterwards the old keys can go."
    )

    def handle(self, *args, **options):
        token = bind_context(AuditContext(system_actor="rotate-field-key"))
        try:
            done = patient_rrn_rotate_keys()
        finally:
            reset_context(token)
        self.stdout.write(
            f"{done} resident numbers re-encrypted under the current field key; "
            "ONCOCENTER_FIELD_OLD_KEYS may now be emptied"
        )
