"""Copy the guardians' birth dates kept by this app into ``patients.Guardian.birth_date``.

The birth date existed twice (``support.GuardianBirthDate``, migration 0003, and
``patients.Guardian.birth_date``, patients 0004); the patients app keeps it. A date is copied
where the guardian has none. Where both are set and differ, the patients app's date is kept and
the conflict is logged (guardian id and both dates), for the record office to check. Backwards,
the birth dates of the guardians who have one are copied back.
"""

import logging

from django.db import migrations

logger = logging.getLogger("oncocenter.migrations")


def copy_to_patients(apps, schema_editor):
    GuardianBirthDate = apps.get_model("support", "GuardianBirthDate")
    Guardian = apps.get_model("patients", "Guardian")
    copied = conflicts = 0
    for row in GuardianBirthDate.objects.order_by("pk"):
        guardian = Guardian.objects.get(pk=row.guardian_id)
        if guardian.birth_date is None:
            Guardian.objects.filter(pk=guardian.pk).update(birth_date=row.birth_date)
            copied += 1
        elif guardian.birth_date != row.birth_date:
            conflicts += 1
            logger.warning(
                "guardian %s: birth date %s (patients) kept, %s (support) differs and is dropped",
                guardian.pk,
                guardian.birth_date.isoformat(),
                row.birth_date.isoformat(),
            )
    if copied or conflicts:
        logger.warning(
            "guardian birth dates: %s copied to patients, %s conflicts (patients' date kept)",
            copied,
            conflicts,
        )


def copy_back(apps, schema_editor):
    GuardianBirthDate = apps.get_model("support", "GuardianBirthDate")
    Guardian = apps.get_model("patients", "Guardian")
    known = set(GuardianBirthDate.objects.values_list("guardian_id", flat=True))
    GuardianBirthDate.objects.bulk_create(
        GuardianBirthDate(guardian_id=g.pk, birth_date=g.birth_date)
        for g in Guardian.objects.filter(birth_date__isnull=False).exclude(pk__in=known)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0003_guardian_birth_date"),
        ("patients", "0004_guardian_birth_date"),
    ]

    operations = [migrations.RunPython(copy_to_patients, copy_back)]
