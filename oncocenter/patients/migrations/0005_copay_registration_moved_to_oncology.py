"""Issue 14: the co-payment registration now belongs to `oncology` (see oncology.0003, which
renamed the table and kept every row). Here it only leaves the patients app's state."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('oncology', '0003_copay_registration_moved_from_patients'),
        ('patients', '0004_guardian_birth_date'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CopayRegistration')],
            database_operations=[],
        ),
    ]
