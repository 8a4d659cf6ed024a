"""Rename the pediatric profile, body measurements and HSCT tables from ``support_*`` to this app's names.

``ALTER TABLE ... RENAME`` keeps every row, index and constraint (check, unique, and on
PostgreSQL the shelter's exclusion constraint) and the foreign keys that point at the tables.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pediatrics", "0001_take_over_support_tables"),
        ("support", "0006_hand_over_to_new_apps"),
    ]

    # table=None: back to the default name "pediatrics_<model>", which the models declare.
    operations = [
        migrations.AlterModelTable(name="hsctepisode", table=None),
        migrations.AlterModelTable(name="hsctcomplication", table=None),
        migrations.AlterModelTable(name="gvhdentry", table=None),
        migrations.AlterModelTable(name="pediatricprofile", table=None),
        migrations.AlterModelTable(name="bodymeasurement", table=None),
    ]
