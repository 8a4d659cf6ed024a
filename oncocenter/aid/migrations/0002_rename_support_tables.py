"""Rename the aid association tables from ``support_*`` to this app's names.

``ALTER TABLE ... RENAME`` keeps every row, index and constraint (check, unique, and on
PostgreSQL the shelter's exclusion constraint) and the foreign keys that point at the tables.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("aid", "0001_take_over_support_tables"),
        ("support", "0006_hand_over_to_new_apps"),
    ]

    # table=None: back to the default name "aid_<model>", which the models declare.
    operations = [
        migrations.AlterModelTable(name="aidorganisation", table=None),
        migrations.AlterModelTable(name="aidapplication", table=None),
        migrations.AlterModelTable(name="aidstatuschange", table=None),
    ]
