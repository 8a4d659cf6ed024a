"""Point radiotherapy's machine foreign keys at `machines.Machine` (state only).

The database columns already reference the renamed table (`scheduling.0004`); only Django's
migration state learns that the model now lives in the `machines` app.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("machines", "0001_move_from_scheduling"),
        ("radiotherapy", "0005_interruption_review"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dicommachinename",
                    name="machine",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="dicom_names", to="machines.machine"),
                ),
                migrations.AlterField(
                    model_name="plan",
                    name="machine",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="rt_plans", to="machines.machine"),
                ),
                migrations.AlterField(
                    model_name="fraction",
                    name="machine",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="rt_fractions", to="machines.machine"),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="machine",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="rt_deliveries", to="machines.machine"),
                ),
                migrations.AlterField(
                    model_name="brachysession",
                    name="afterloader",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="machines.machine"),
                ),
            ]
        )
    ]
