from django.db import migrations


def load(apps, schema_editor):
    from oncocenter.systemic.library import load as load_library

    load_library(apps.get_model("systemic", "Regimen"), apps.get_model("systemic", "RegimenDrug"))


class Migration(migrations.Migration):
    dependencies = [("systemic", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
