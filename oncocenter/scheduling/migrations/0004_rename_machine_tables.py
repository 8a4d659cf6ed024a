"""Give the machine tables the names of the `machines` app they move to (rows and constraints kept).

First step of moving `Machine`, `MachineTechnique` and `MachineDowntime` out of scheduling:
`ALTER TABLE ... RENAME` keeps every row, check constraint, index and foreign key pointing at
them (SQLite >= 3.26 and PostgreSQL rewrite the references). `machines.0001` then takes the
models over in Django's migration state, and `scheduling.0005` lets go of them.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_booking_no_overlap_postgres")]

    operations = [
        migrations.AlterModelTable(name="machine", table="machines_machine"),
        migrations.AlterModelTable(name="machinetechnique", table="machines_machinetechnique"),
        migrations.AlterModelTable(name="machinedowntime", table="machines_machinedowntime"),
    ]
