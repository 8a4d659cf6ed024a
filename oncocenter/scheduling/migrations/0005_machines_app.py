"""Let go of the machine models (now `machines.*`) in Django's state; point bookings at them.

State only: the tables were renamed by 0004 and the booking columns already reference them.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("machines", "0001_move_from_scheduling"),
        ("radiotherapy", "0006_machines_app"),
        ("scheduling", "0004_rename_machine_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="booking",
                    name="machine",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="bookings", to="machines.machine"),
                ),
                migrations.AlterField(
                    model_name="booking",
                    name="moved_by_downtime",
                    field=models.ForeignKey(blank=True, help_text="The outage that forced this new time.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="rebooked", to="machines.machinedowntime"),
                ),
                migrations.DeleteModel(name="MachineTechnique"),
                migrations.DeleteModel(name="MachineDowntime"),
                migrations.DeleteModel(name="Machine"),
            ]
        )
    ]
