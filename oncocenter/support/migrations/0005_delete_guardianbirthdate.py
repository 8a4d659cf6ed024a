"""The guardian's birth date lives in ``patients.Guardian`` only (copied there by 0004)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("support", "0004_guardian_birth_dates_to_patients")]

    operations = [migrations.DeleteModel(name="GuardianBirthDate")]
