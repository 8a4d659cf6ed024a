"""Create the single priority-policy row with the example defaults."""

from django.db import migrations


def load(apps, schema_editor):
    apps.get_model("clinics", "PriorityPolicy").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("clinics", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
