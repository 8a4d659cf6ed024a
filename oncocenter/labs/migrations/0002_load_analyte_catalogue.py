from django.db import migrations


def load(apps, schema_editor):
    from oncocenter.labs.catalogue import load as load_catalogue

    load_catalogue(apps.get_model("labs", "Analyte"), apps.get_model("labs", "ReferenceRange"))


class Migration(migrations.Migration):
    dependencies = [("labs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
